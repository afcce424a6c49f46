/* Threads with an explicit stack size; see include/lbsim/threads.h. */
#include "lbsim/threads.h"

int lbsim_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int rc = pthread_attr_init(&attr);
	if (rc != 0)
		return rc;
	rc = pthread_attr_setstacksize(&attr, LBSIM_STACK_BYTES);
	if (rc == 0)
		rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}
