/* Threads with a stack of lbsim's own choosing.
 *
 * A new thread's stack defaults to the stack limit the shell gave the
 * process (ulimit -s), and the first thread's stack is that limit too; a
 * small limit (ulimit -s 64) crashed lbsim with SIGSEGV. Every thread
 * lbsim starts, and lbsim_main itself (see lbsim_main_with), runs on a
 * stack of LBSIM_STACK_BYTES instead: address space reserved, pages used
 * only as touched.
 */
#ifndef LBSIM_THREADS_H
#define LBSIM_THREADS_H

#include <pthread.h>

#define LBSIM_STACK_BYTES (16u << 20)

/* pthread_create with a stack of LBSIM_STACK_BYTES. Returns 0 or an
 * error number, as pthread_create. */
int lbsim_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
