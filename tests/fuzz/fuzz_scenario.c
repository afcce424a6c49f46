/* libFuzzer target for the scenario loader: any bytes must load or be
 * refused with a positioned message, never crash, leak, hang or read out
 * of bounds. Built by scripts/fuzz with clang (-fsanitize=fuzzer,address,
 * undefined); run in CI for a bounded time on a seed corpus of every
 * scenario and every file of the bad-input catalogue. A crash it finds
 * becomes a new file in tests/scenarios/bad/ with its expected message.
 *
 * A scenario that loads is also edited: each comment line "#set KEY=V"
 * of the input is a --set option (params.h), parsed, tried and applied as
 * lbsim run would, so that the text edits of --set are fuzzed on every
 * shape of file (tests/scenarios/good/set.yaml seeds the corpus). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/params.h"
#include "lbsim/scenario.h"

/* Every "#set KEY=V" line of scn's text, as --set options in order. */
static void fuzz_sets(const struct scenario *scn)
{
	struct param_axis *axes = calloc(PARAMS_MAX_AXES, sizeof *axes);
	uint32_t n = 0, choice[PARAMS_MAX_AXES] = {0};
	char err[2048], arg[512];
	if (!axes)
		return;
	for (const char *p = scn->source; p && (p = strstr(p, "#set ")) && n < PARAMS_MAX_AXES;
	     p += 5) {
		size_t len = strcspn(p + 5, "\r\n");
		if (len >= sizeof arg)
			continue;
		memcpy(arg, p + 5, len);
		arg[len] = '\0';
		if (params_parse(&axes[n], scn, axes, n, arg, err, sizeof err) != 0) {
			if (err[0] == '\0')
				__builtin_trap(); /* every refusal says why */
			params_axis_free(&axes[n]);
			continue;
		}
		n++;
	}
	struct scenario *point = NULL;
	if (n && params_point(scn, axes, n, choice, NULL, &point, err, sizeof err) != 0 &&
	    err[0] == '\0')
		__builtin_trap();
	scn_free(point);
	for (uint32_t i = 0; i < n; i++)
		params_axis_free(&axes[i]);
	free(axes);
}

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
		fuzz_sets(scn);
		scn_free(scn);
	} else if (err.message[0] == '\0' || strlen(err.message) >= sizeof err.message) {
		__builtin_trap(); /* every refusal says why */
	}
	return 0;
}
