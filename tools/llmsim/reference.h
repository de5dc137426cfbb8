/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LLMSIM_REFERENCE_H
#define _LLMSIM_REFERENCE_H

#include <stdio.h>

extern const char llmsim_reference_trace[];

/* Run the reference example, printing its event lines to @out. */
int llmsim_reference(FILE *out);

#endif /* _LLMSIM_REFERENCE_H */
