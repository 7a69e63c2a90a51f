/* Images for the OCR example: 8-bit BGR pixels, PNG input, and the resizing rapidocr
   does with OpenCV (cv2.resize with INTER_LINEAR, in the same fixed point). */
#ifndef OCR_IMAGE_H
#define OCR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* An 8-bit image with 3 channels in B, G, R order, rows packed: rapidocr works on OpenCV's
   BGR images and the models were trained on them. */
typedef struct {
  int w, h;
  uint8_t *px;
} Image;

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* malloc(count * size), or NULL on overflow or when memory runs out. */
void *alloc_array(size_t count, size_t size);

/* Allocates a w x h image. Returns 0, or -1 after printing that memory ran out. */
int image_init(Image *im, int w, int h);

void image_free(Image *im);

/* The 3 bytes of pixel (x, y). */
uint8_t *pixel(const Image *im, int x, int y);

/* Reads a PNG file into a BGR image. Returns 0, or -1 after printing why. */
int load_png(const char *path, Image *out);

/* Resizes src to w x h into dst (allocated here). Returns 0, or -1 when out of memory. */
int resize_linear(const Image *src, int w, int h, Image *dst);

#endif
