// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the result reader: any byte string goes through
 * sb_resset_load_buffer (JSON parse, validation, cell merge); what is accepted
 * is compared with itself and rendered in every format. It must never crash,
 * leak or read out of bounds, and a rejection must come with a one-line reason.
 *
 *   make fuzz                       # 5 minutes, new inputs into tests/fuzz/corpus
 *   build/fuzz/fuzz_result -max_total_time=60 NEWDIR tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "resset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sb_cmp_settings s = {
		.alpha = 0.01, .confidence = 0.95, .threshold = 0.05, .noisy_rcv = 0.10,
		.outlier_z = 3.5, .insufficient_is_trouble = true, .command = "gate",
	};
	static FILE *devnull;
	struct sb_resset rs;
	char err[512] = "";
	json_t *doc;
	int fmt;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (sb_resset_load_buffer(&rs, "fuzz.json", (const char *)data, size, err, sizeof(err))) {
		/* a rejection says why, on one line */
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	doc = sb_compare(&rs, &rs, &s);
	if (!doc)
		abort();
	for (fmt = SB_CMP_TEXT; fmt <= SB_CMP_JUNIT; fmt++)
		sb_compare_render(doc, (enum sb_cmp_format)fmt, true, devnull);
	/* a set compared with itself never regresses */
	if (json_integer_value(json_object_get(doc, "exit_code")) == 1)
		abort();
	json_decref(doc);
	sb_resset_free(&rs);
	return 0;
}
