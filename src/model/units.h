/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Units shared by every layer from the model up: the page size badness points are counted in,
 * and byte counts written for people. The one place each is defined, so that the verdict's
 * reasons and the renderers' tables always agree. Pure: no globals, no I/O.
 */
#ifndef OW_UNITS_H
#define OW_UNITS_H

#include <stdint.h>

/*
 * Badness points are counted in 4 KiB pages, as on x86-64. Snapshots carry bytes; the kernel's
 * points are pages of the machine that was recorded, and only x86-64 is recorded for now. A
 * recorder on another page size would have to store it with the incident.
 */
#define OW_BADNESS_PAGE_SIZE 4096u

/* Room for any ow_format_bytes() result, NUL included (the longest is "1023.9 PiB"). */
#define OW_BYTES_TEXT_LEN 16

/*
 * Bytes for people, binary units: "0 B", "1023 B", "1 KiB", "128 KiB", "1.0 MiB",
 * "212.4 MiB", "8.0 GiB", up to "16.0 EiB". Under 1 KiB exact; KiB whole; MiB and larger with
 * one decimal. Rounded to the nearest (halves up), and a value that would round to 1024 of a
 * unit is written in the next one ("1.0 MiB", never "1024 KiB" or "1024.0 MiB").
 * Returns buf.
 */
const char *ow_format_bytes(char buf[OW_BYTES_TEXT_LEN], uint64_t bytes);

#endif
