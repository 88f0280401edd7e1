/* The privacy notice: what ttymeet sends and stores, derived from the actual settings.
 * Main thread only; pure apart from writing to the given stream. */
#ifndef TTM_SRC_PRIVACY_H
#define TTM_SRC_PRIVACY_H

#include <stdio.h>

#include "src/cli.h"

/* Writes the notice for these options as plain text. */
void privacy_print_notice(FILE *out, const struct cli_options *o);

#endif
