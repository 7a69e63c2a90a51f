/* Images for the OCR example: PNG input with libpng and bilinear resizing as OpenCV does it. */
#include "image.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- images */


/* malloc(count * size), or NULL on overflow or when memory runs out. */
void *alloc_array(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return NULL;
  return malloc(count * size > 0 ? count * size : 1);
}

int image_init(Image *im, int w, int h) {
  im->w = w;
  im->h = h;
  im->px = (w > 0 && h > 0) ? alloc_array((size_t)w * (size_t)h, 3) : NULL;
  if (!im->px) fprintf(stderr, "ocr: out of memory for a %dx%d image\n", w, h);
  return im->px ? 0 : -1;
}

void image_free(Image *im) {
  free(im->px);
  im->px = NULL;
}

uint8_t *pixel(const Image *im, int x, int y) {
  return im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
}

/* ---------------------------------------------------------------- PNG input */

/* State of one PNG read that must survive libpng's longjmp, so it lives outside the function
   that calls setjmp. */
typedef struct {
  FILE *file;
  png_structp png;
  png_infop info;
  uint8_t *data;
  png_bytep *rows;
} PngReader;

/* Decodes to 8-bit samples, 1 to 4 channels (gray, gray+alpha, RGB, RGBA) as PIL would hand
   them to rapidocr. Returns the number of channels, or -1 after libpng reported an error. */
static int png_decode(PngReader *r, int *w, int *h) {
  if (setjmp(png_jmpbuf(r->png))) return -1;
  png_init_io(r->png, r->file);
  png_set_sig_bytes(r->png, 8);
  png_read_info(r->png, r->info);
  int color = png_get_color_type(r->png, r->info);
  png_set_strip_16(r->png);
  png_set_packing(r->png);
  if (color == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(r->png);
  if (color == PNG_COLOR_TYPE_PALETTE) {
    png_set_palette_to_rgb(r->png);
    /* PIL keeps a palette image's transparency aside, so rapidocr never sees it. */
    png_set_strip_alpha(r->png);
  }
  png_set_interlace_handling(r->png);
  png_read_update_info(r->png, r->info);
  png_uint_32 width = png_get_image_width(r->png, r->info);
  png_uint_32 height = png_get_image_height(r->png, r->info);
  int channels = png_get_channels(r->png, r->info);
  size_t row_bytes = png_get_rowbytes(r->png, r->info);
  if (width > INT32_MAX / 4 || height > INT32_MAX / 4 || channels < 1 || channels > 4 ||
      row_bytes != (size_t)width * (size_t)channels) {
    fprintf(stderr, "ocr: unsupported PNG layout (%lux%lu, %d channels)\n", (unsigned long)width,
            (unsigned long)height, channels);
    return -1;
  }
  r->data = alloc_array((size_t)height, row_bytes);
  r->rows = alloc_array((size_t)height, sizeof(png_bytep));
  if (!r->data || !r->rows) {
    fprintf(stderr, "ocr: out of memory for a %lux%lu image\n", (unsigned long)width,
            (unsigned long)height);
    return -1;
  }
  for (png_uint_32 y = 0; y < height; ++y) r->rows[y] = r->data + (size_t)y * row_bytes;
  png_read_image(r->png, r->rows);
  png_read_end(r->png, NULL);
  *w = (int)width;
  *h = (int)height;
  return channels;
}

static uint8_t add_saturate(int a, int b) { return (uint8_t)(a + b > 255 ? 255 : a + b); }

/* Samples to BGR the way rapidocr's LoadImage converts PIL's arrays, alpha included: gray+alpha
   becomes gray where opaque plus (255 - alpha); RGBA is masked by its alpha and then, unless
   that left it all black, inverted. */
static void to_bgr(const uint8_t *src, int channels, Image *out) {
  size_t n = (size_t)out->w * (size_t)out->h;
  uint8_t *dst = out->px;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *s = src + i * (size_t)channels;
    uint8_t *d = dst + i * 3;
    switch (channels) {
    case 1: d[0] = d[1] = d[2] = s[0]; break;
    case 2: d[0] = d[1] = d[2] = add_saturate(s[1] ? s[0] : 0, 255 - s[1]); break;
    case 3: d[0] = s[2], d[1] = s[1], d[2] = s[0]; break;
    default:
      for (int c = 0; c < 3; ++c) d[c] = s[3] ? s[2 - c] : 0;
      sum += d[0] + d[1] + d[2];
      break;
    }
  }
  if (channels != 4) return;
  for (size_t i = 0; i < n; ++i) {
    uint8_t *d = dst + i * 3;
    for (int c = 0; c < 3; ++c)
      d[c] = sum > 0 ? (uint8_t)(255 - d[c]) : add_saturate(d[c], 255 - src[i * 4 + 3]);
  }
}

/* Reads a PNG file into a BGR image. Returns 0, or -1 after printing why. */
int load_png(const char *path, Image *out) {
  PngReader r = {0};
  int status = -1;
  r.file = fopen(path, "rb");
  if (!r.file) {
    fprintf(stderr, "ocr: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  uint8_t signature[8];
  if (fread(signature, 1, sizeof signature, r.file) != sizeof signature ||
      png_sig_cmp(signature, 0, sizeof signature) != 0) {
    fprintf(stderr, "ocr: %s is not a PNG file\n", path);
    fclose(r.file);
    return -1;
  }
  r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  r.info = r.png ? png_create_info_struct(r.png) : NULL;
  if (!r.info) {
    fprintf(stderr, "ocr: out of memory reading %s\n", path);
  } else {
    int w = 0, h = 0;
    int channels = png_decode(&r, &w, &h);
    if (channels < 0) {
      fprintf(stderr, "ocr: cannot decode %s\n", path);
    } else if (image_init(out, w, h) == 0) {
      to_bgr(r.data, channels, out);
      status = 0;
    }
  }
  png_destroy_read_struct(r.png ? &r.png : NULL, r.info ? &r.info : NULL, NULL);
  free(r.rows);
  free(r.data);
  fclose(r.file);
  return status;
}

/* ---------------------------------------------------------------- resizing */

/* OpenCV's bilinear resize of 8-bit images (cv2.resize, INTER_LINEAR), which rapidocr uses at
   every scale step: half-pixel centers, weights in 11-bit fixed point, and an exact halving
   taken as a 2x2 average. Matching its rounding keeps the models' inputs identical. */
#define RESIZE_BITS 11
#define RESIZE_ONE (1 << RESIZE_BITS)

/* For each destination index: the first source index and its two 11-bit weights. Along x,
   taps past the edges collapse onto the edge pixel; along y, OpenCV keeps the weights and
   reads the edge row twice, which rounds differently. */
static void linear_taps(int src, int dst, int along_x, int *first, int16_t *weight) {
  double scale = 1.0 / ((double)dst / src);
  for (int i = 0; i < dst; ++i) {
    float f = (float)((i + 0.5) * scale - 0.5);
    int s = (int)floorf(f);
    f -= (float)s;
    if (along_x && s < 0) s = 0, f = 0;
    if (along_x && s >= src - 1) s = src - 1, f = 0;
    first[i] = s;
    weight[2 * i] = (int16_t)lrintf((1.f - f) * RESIZE_ONE);
    weight[2 * i + 1] = (int16_t)lrintf(f * RESIZE_ONE);
  }
}

static void resize_halve(const Image *src, Image *dst) {
  for (int y = 0; y < dst->h; ++y)
    for (int x = 0; x < dst->w; ++x)
      for (int c = 0; c < 3; ++c) {
        int sum = pixel(src, 2 * x, 2 * y)[c] + pixel(src, 2 * x + 1, 2 * y)[c] +
                  pixel(src, 2 * x, 2 * y + 1)[c] + pixel(src, 2 * x + 1, 2 * y + 1)[c];
        pixel(dst, x, y)[c] = (uint8_t)((sum + 2) >> 2);
      }
}

/* The vertical step of OpenCV's vectorized 8-bit path, which drops the low 4 bits of the
   horizontal sums before weighting them. */
static int vertical_blend(int32_t top, int32_t bottom, int w_top, int w_bottom) {
  return ((((top >> 4) * w_top) >> 16) + (((bottom >> 4) * w_bottom) >> 16) + 2) >> 2;
}

/* One source row resized horizontally, still scaled by RESIZE_ONE. */
static void resize_row(const Image *src, int sy, const int *xs, const int16_t *xw, int w,
                       int32_t *out) {
  for (int x = 0; x < w; ++x) {
    const uint8_t *a = pixel(src, xs[x], sy);
    const uint8_t *b = pixel(src, xs[x] + 1 < src->w ? xs[x] + 1 : xs[x], sy);
    for (int c = 0; c < 3; ++c) out[x * 3 + c] = a[c] * xw[2 * x] + b[c] * xw[2 * x + 1];
  }
}

/* Resizes src to w x h into dst (allocated here). Returns 0, or -1 when out of memory. */
int resize_linear(const Image *src, int w, int h, Image *dst) {
  if (image_init(dst, w, h) != 0) return -1;
  if (src->w == 2 * w && src->h == 2 * h) {
    resize_halve(src, dst);
    return 0;
  }
  int *xs = alloc_array((size_t)w, sizeof *xs), *ys = alloc_array((size_t)h, sizeof *ys);
  int16_t *xw = alloc_array((size_t)w * 2, sizeof *xw);
  int16_t *yw = alloc_array((size_t)h * 2, sizeof *yw);
  int32_t *top = alloc_array((size_t)w * 3, sizeof *top);
  int32_t *bottom = alloc_array((size_t)w * 3, sizeof *bottom);
  int status = -1;
  if (!xs || !ys || !xw || !yw || !top || !bottom) {
    fprintf(stderr, "ocr: out of memory resizing to %dx%d\n", w, h);
    image_free(dst);
    goto done;
  }
  linear_taps(src->w, w, 1, xs, xw);
  linear_taps(src->h, h, 0, ys, yw);
  for (int y = 0; y < h; ++y) {
    resize_row(src, clampi(ys[y], 0, src->h - 1), xs, xw, w, top);
    resize_row(src, clampi(ys[y] + 1, 0, src->h - 1), xs, xw, w, bottom);
    int b0 = yw[2 * y], b1 = yw[2 * y + 1];
    uint8_t *out = pixel(dst, 0, y);
    for (int i = 0; i < w * 3; ++i)
      out[i] = (uint8_t)clampi(vertical_blend(top[i], bottom[i], b0, b1), 0, 255);
  }
  status = 0;
done:
  free(xs), free(ys), free(xw), free(yw), free(top), free(bottom);
  return status;
}

