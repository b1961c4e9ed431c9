/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * png_colors: counts the pixels of given colours in a PNG, for the HTML report's browser test
 * (tests/e2e/test_html_browser.sh), which screenshots the page in headless Chromium and checks
 * that each curve of the chart was really drawn in its colour.
 *
 *   png_colors [--tolerance N] FILE.png '#rrggbb'...
 *
 * prints "size WIDTHxHEIGHT" and then, for each colour, "#rrggbb COUNT": the pixels whose red,
 * green and blue each lie within N (default 0: exact) of it, after compositing any alpha over
 * white. Exits 0, or 2 with one line on stderr when the command line, the file or a colour is
 * bad. Uses libpng's simplified API, which converts every PNG flavour to 8-bit RGBA.
 */
#include <errno.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_BAD_INPUT 2
#define MAX_TOLERANCE 255

struct colour {
	const char *text; /* as given */
	uint8_t rgb[3];
	unsigned long long count;
};

static void usage(void)
{
	fprintf(stderr, "usage: png_colors [--tolerance N] FILE.png '#rrggbb'...\n");
}

/* Parses "#rrggbb" (the '#' optional); returns 0 or -EINVAL. */
static int parse_colour(const char *s, struct colour *ret)
{
	unsigned int v[3];
	int n = 0;

	if (*s == '#')
		s++;
	if (strlen(s) != 6 || strspn(s, "0123456789abcdefABCDEF") != 6)
		return -EINVAL;
	if (sscanf(s, "%2x%2x%2x%n", &v[0], &v[1], &v[2], &n) != 3 || n != 6)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		ret->rgb[i] = (uint8_t)v[i];
	return 0;
}

/* The pixel at p (RGBA) composited over white, channel c. */
static unsigned int over_white(const uint8_t *p, int c)
{
	return (p[c] * p[3] + 255u * (255u - p[3]) + 127u) / 255u;
}

static int within(const uint8_t *p, const uint8_t rgb[3], unsigned int tolerance)
{
	for (int c = 0; c < 3; c++) {
		unsigned int v = over_white(p, c);
		unsigned int d = v > rgb[c] ? v - rgb[c] : rgb[c] - v;

		if (d > tolerance)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	png_image image;
	struct colour *colours = NULL;
	uint8_t *pixels = NULL;
	unsigned long tolerance = 0;
	int argi = 1, n_colours, rc = EXIT_BAD_INPUT;
	size_t n_pixels;
	char *end;

	if (argi + 1 < argc && strcmp(argv[argi], "--tolerance") == 0) {
		errno = 0;
		tolerance = strtoul(argv[argi + 1], &end, 10);
		if (errno || *end || end == argv[argi + 1] || tolerance > MAX_TOLERANCE) {
			fprintf(stderr, "png_colors: --tolerance takes 0..%d, got '%s'\n",
				MAX_TOLERANCE, argv[argi + 1]);
			return EXIT_BAD_INPUT;
		}
		argi += 2;
	}
	if (argc - argi < 2) {
		usage();
		return EXIT_BAD_INPUT;
	}
	n_colours = argc - argi - 1;
	colours = calloc((size_t)n_colours, sizeof(*colours));
	if (!colours) {
		fprintf(stderr, "png_colors: out of memory\n");
		return EXIT_BAD_INPUT;
	}
	for (int i = 0; i < n_colours; i++) {
		colours[i].text = argv[argi + 1 + i];
		if (parse_colour(colours[i].text, &colours[i]) < 0) {
			fprintf(stderr, "png_colors: '%s' is not a colour like '#1f77b4'\n",
				colours[i].text);
			goto out;
		}
	}

	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&image, argv[argi])) {
		fprintf(stderr, "png_colors: cannot read %s: %s\n", argv[argi], image.message);
		goto out;
	}
	image.format = PNG_FORMAT_RGBA;
	n_pixels = (size_t)image.width * image.height;
	pixels = malloc(PNG_IMAGE_SIZE(image));
	if (!pixels || n_pixels == 0) {
		fprintf(stderr, "png_colors: %s: %s\n", argv[argi],
			pixels ? "empty image" : "out of memory");
		png_image_free(&image);
		goto out;
	}
	if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
		fprintf(stderr, "png_colors: cannot decode %s: %s\n", argv[argi], image.message);
		goto out;
	}
	for (size_t i = 0; i < n_pixels; i++)
		for (int c = 0; c < n_colours; c++)
			if (within(pixels + 4 * i, colours[c].rgb, (unsigned int)tolerance))
				colours[c].count++;

	printf("size %ux%u\n", image.width, image.height);
	for (int c = 0; c < n_colours; c++)
		printf("%s %llu\n", colours[c].text, colours[c].count);
	rc = fflush(stdout) == 0 ? 0 : EXIT_BAD_INPUT;
out:
	free(pixels);
	free(colours);
	return rc;
}
