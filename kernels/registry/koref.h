/* The KO authors' reference data (ko-reference/, README there) as a source of golden cases:
 * directory $REFAST_KO_REFERENCE, default ../shared/ko-reference relative to the working directory
 * (golden generate runs from the checkout's root). Only `refast golden generate` reads it. */
#ifndef REFAST_REGISTRY_KOREF_H
#define REFAST_REGISTRY_KOREF_H

#include <stddef.h>
#include <stdint.h>

#include "refast/case.h"

/* The whole file <root>/<source>/<file> (malloc'd; at least `need` bytes, else an error). With c,
 * appends the parameter xxh.<file>=<XXH3-64 of the file> (provenance). NULL with err set on any
 * failure, naming the path and REFAST_KO_REFERENCE. */
uint8_t *rf_koref_read(rf_case *c, const char *source, const char *file, size_t need, char *err,
                       size_t errlen);

#endif
