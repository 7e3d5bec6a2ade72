// SPDX-License-Identifier: MIT
#include <string.h>

#include "workload.h"

const struct sb_workload *const sb_workloads[] = {
#define SB_WORKLOAD(family, variant) &sb_wl_##family##_##variant,
#include "workloads.def"
#undef SB_WORKLOAD
};

const size_t sb_nr_workloads = SB_ARRAY_SIZE(sb_workloads);

const struct sb_workload *sb_workload_find(const char *id)
{
	for (size_t i = 0; i < sb_nr_workloads; i++)
		if (!strcmp(sb_workloads[i]->id, id))
			return sb_workloads[i];
	return NULL;
}

bool sb_workload_is_family(const char *family)
{
	for (size_t i = 0; i < sb_nr_workloads; i++)
		if (!strcmp(sb_workloads[i]->family, family))
			return true;
	return false;
}
