/* The core's one error convention: the sentences of enum lb_err (lb_err.h). */
#include "lbsim/lb_err.h"

const char *lb_strerror(int err)
{
	switch (err) {
	case LB_OK:       return "success";
	case LB_ENOMEM:   return "out of memory";
	case LB_EINVAL:   return "a parameter is out of range or not the kind's";
	case LB_ERANGE:   return "no such server or pool";
	case LB_EFULL:    return "the table is full and refuses new entries";
	case LB_ETOOMANY: return "a fixed limit is reached";
	default:          return "unknown error";
	}
}
