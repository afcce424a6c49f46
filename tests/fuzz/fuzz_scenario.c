/* libFuzzer target for the scenario loader: any bytes must load or be
 * refused with a positioned message, never crash, leak, hang or read out
 * of bounds. Built by scripts/fuzz with clang (-fsanitize=fuzzer,address,
 * undefined); run in CI for a bounded time on a seed corpus of every
 * scenario and every file of the bad-input catalogue. A crash it finds
 * becomes a new file in tests/scenarios/bad/ with its expected message. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lbsim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *scn = NULL;
	struct scn_error err;
	if (scn_load_buffer("fuzz.yaml", (const char *)data, size, &scn, &err) == 0) {
		/* A scenario that loads is valid: spot-check the invariants the
		 * simulator relies on. */
		if (scn->ndesigns == 0 || scn->npopulations == 0 || scn->servers.count == 0 ||
		    scn->replications == 0 || scn->duration == 0)
			__builtin_trap();
		scn_free(scn);
	} else if (err.message[0] == '\0' || strlen(err.message) >= sizeof err.message) {
		__builtin_trap(); /* every refusal says why */
	}
	return 0;
}
