/* SPDX-License-Identifier: MIT */
/*
 * Plots of result sets: plain .dat files plus one gnuplot script (plot.gp)
 * written into a directory, then gnuplot run there. The script redraws the
 * images by itself (`cd DIR && gnuplot plot.gp`), so a user can restyle
 * them without splicebench.
 *
 * One set (a result): throughput per cell (bars, whiskers min..max), the
 * copied / by-reference / fresh-pages split of the bytes moved (stacked
 * bars, with the accounting tier), latency percentiles (log scale).
 * Two sets (BASE NEW): per metric, candlesticks of base and new with the
 * samples overlaid, and the split of both sides.
 */
#ifndef SB_PLOT_H
#define SB_PLOT_H

#include <stddef.h>

#include "resset.h"

enum sb_plot_format { SB_PLOT_PNG = 1, SB_PLOT_SVG };

#define SB_PLOT_MAX_IMAGES 16
#define SB_PLOT_SCRIPT "plot.gp"

struct sb_plot_req {
	const struct sb_resset *base; /* NULL: plot @set alone */
	const struct sb_resset *set;  /* the result, or NEW of a comparison */
	const char *dir;	      /* created when missing (with its parents) */
	enum sb_plot_format format;
};

struct sb_plot_out {
	size_t nimages;
	char images[SB_PLOT_MAX_IMAGES][48];  /* file names in the directory: "throughput.png" */
	size_t nskipped;
	char skipped[SB_PLOT_MAX_IMAGES][160]; /* pictures left out: "latency: no cell has ..." */
};

/* "png", "svg" */
const char *sb_plot_format_name(enum sb_plot_format f);

/*
 * Write the .dat files and plot.gp of @r into r->dir. Only files of fixed
 * names are (over)written: plot.gp, <picture>.dat, and later the images.
 * Returns 0; -ENODATA when there is nothing to plot (no ok cell, no
 * matched cell); or another -errno (creating the directory, writing).
 * The reason is in @err, one line.
 */
int sb_plot_write(const struct sb_plot_req *r, struct sb_plot_out *out, char *err, size_t errlen);

/*
 * Run `gnuplot plot.gp` in @dir and check that the images of @out are
 * there and not empty. Returns 0; -ENOENT when gnuplot is not installed
 * (not in PATH); -EIO when it failed (its first error line in @err);
 * -ETIMEDOUT after 120 s; other -errno for fork/pipe trouble.
 */
int sb_plot_render(const char *dir, const struct sb_plot_out *out, char *err, size_t errlen);

/*
 * The default directory for plots of @rs: <result directory>/plots (the
 * directory given, or the one holding the file given).
 */
void sb_plot_default_dir(const struct sb_resset *rs, const char *sub, char *buf, size_t len);

/*
 * For `run --plot`: load the result file @result_path and draw its plots
 * into @dir as PNG. Returns 0, or -errno as above (-ENOENT: no gnuplot;
 * the .dat files and plot.gp are written all the same), reason in @err.
 */
int sb_plot_result_file(const char *result_path, const char *dir, char *err, size_t errlen);

#endif
