/* Text boxes for the OCR example: from the detection map to boxes in reading order, and
   from a box to an upright crop. */
#include "boxes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* rapidocr's detection post-processing configuration (config.yaml). */
#define DET_THRESH 0.3f
#define DET_BOX_THRESH 0.5
#define DET_UNCLIP_RATIO 1.6
#define DET_MAX_CANDIDATES 1000
#define DET_MIN_SIZE 3
#define PI 3.14159265358979323846

/* ---------------------------------------------------------------- geometry */



static double cross(Point o, Point a, Point b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static double distance(Point a, Point b) { return hypot(a.x - b.x, a.y - b.y); }

static int compare_points(const void *a, const void *b) {
  const Point *p = a, *q = b;
  if (p->x != q->x) return p->x < q->x ? -1 : 1;
  return (p->y > q->y) - (p->y < q->y);
}

/* Convex hull of pts (sorted in place) into hull (room for 2n points), counter-clockwise
   in y-up terms, without collinear points. Returns its size. */
static size_t convex_hull(Point *pts, size_t n, Point *hull) {
  qsort(pts, n, sizeof *pts, compare_points);
  if (n < 3) {
    memcpy(hull, pts, n * sizeof *pts);
    return n;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) --k;
    hull[k++] = pts[i];
  }
  for (size_t i = n - 1, lower = k + 1; i-- > 0;) {
    while (k >= lower && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) --k;
    hull[k++] = pts[i];
  }
  return k - 1;
}

/* The smallest-area rectangle around the points (cv2.minAreaRect): one of its sides lies on
   an edge of the convex hull. Writes its corners, rounded to float as cv2.boxPoints gives
   them, and returns its shorter side (0 when the points do not span an area). pts is
   reordered; hull has room for 2n points. */
static double min_area_rect(Point *pts, size_t n, Point *hull, Quad *rect) {
  size_t m = convex_hull(pts, n, hull);
  if (m < 3) return 0;
  double best_area = INFINITY, best_side = 0;
  for (size_t i = 0; i < m; ++i) {
    Point a = hull[i], b = hull[(i + 1) % m];
    double len = distance(a, b);
    Point u = {(b.x - a.x) / len, (b.y - a.y) / len}, v = {-u.y, u.x};
    double u_lo = INFINITY, u_hi = -INFINITY, v_lo = INFINITY, v_hi = -INFINITY;
    for (size_t j = 0; j < m; ++j) {
      double pu = hull[j].x * u.x + hull[j].y * u.y, pv = hull[j].x * v.x + hull[j].y * v.y;
      u_lo = fmin(u_lo, pu), u_hi = fmax(u_hi, pu);
      v_lo = fmin(v_lo, pv), v_hi = fmax(v_hi, pv);
    }
    double area = (u_hi - u_lo) * (v_hi - v_lo);
    if (area < best_area) {
      best_area = area;
      best_side = fmin(u_hi - u_lo, v_hi - v_lo);
      const double us[4] = {u_lo, u_hi, u_hi, u_lo}, vs[4] = {v_lo, v_lo, v_hi, v_hi};
      for (int c = 0; c < 4; ++c) {
        rect->p[c].x = (float)(us[c] * u.x + vs[c] * v.x);
        rect->p[c].y = (float)(us[c] * u.y + vs[c] * v.y);
      }
    }
  }
  return (float)best_side;
}

/* Stable sort of 4 points by x, or by y: rapidocr's orderings depend on the order of ties. */
static void sort4(Point *p, int n, int by_y) {
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && (by_y ? p[j].y < p[j - 1].y : p[j].x < p[j - 1].x); --j) {
      Point t = p[j];
      p[j] = p[j - 1], p[j - 1] = t;
    }
}

/* DBPostProcess.get_mini_boxes's corner order: of the two leftmost corners the upper first,
   then of the two rightmost the upper, the lower, and last the lower left one. */
static void mini_box_order(Quad *q) {
  Point p[4];
  memcpy(p, q->p, sizeof p);
  sort4(p, 4, 0);
  int left_upper = p[1].y > p[0].y ? 0 : 1, right_upper = p[3].y > p[2].y ? 2 : 3;
  q->p[0] = p[left_upper];
  q->p[1] = p[right_upper];
  q->p[2] = p[5 - right_upper];
  q->p[3] = p[1 - left_upper];
}

/* TextDetector.order_points_clockwise: top left, top right, bottom right, bottom left. */
static void order_clockwise(Quad *q) {
  Point p[4];
  memcpy(p, q->p, sizeof p);
  sort4(p, 4, 0);
  sort4(p, 2, 1);
  sort4(p + 2, 2, 1);
  q->p[0] = p[0], q->p[1] = p[2], q->p[2] = p[3], q->p[3] = p[1];
}

/* ---------------------------------------------------------------- detection post-processing */


/* cv2.fillPoly's pixels for a polygon with integer vertices: the pixel centers inside it or
   on its edges, plus the pixels of its edges drawn as 8-connected lines. */
static void fill_polygon(const Point *v, int n, uint8_t *mask, int w, int h) {
  for (int y = 0; y < h; ++y) {
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; ++i) {
      Point a = v[i], b = v[(i + 1) % n];
      if ((y < a.y && y < b.y) || (y > a.y && y > b.y)) continue;
      if (a.y == b.y) {
        lo = fmin(lo, fmin(a.x, b.x)), hi = fmax(hi, fmax(a.x, b.x));
      } else {
        double x = a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y);
        lo = fmin(lo, x), hi = fmax(hi, x);
      }
    }
    if (lo > hi) continue;
    for (int x = (int)fmax(ceil(lo), 0), end = (int)fmin(floor(hi), w - 1); x <= end; ++x)
      mask[(size_t)y * w + x] = 1;
  }
  for (int i = 0; i < n; ++i) {
    int x0 = (int)v[i].x, y0 = (int)v[i].y, x1 = (int)v[(i + 1) % n].x, y1 = (int)v[(i + 1) % n].y;
    int dx = abs(x1 - x0), dy = abs(y1 - y0), steps = dx > dy ? dx : dy;
    for (int s = 0; s <= steps; ++s) {
      int x = steps ? x0 + (int)lround((double)(x1 - x0) * s / steps) : x0;
      int y = steps ? y0 + (int)lround((double)(y1 - y0) * s / steps) : y0;
      if (x >= 0 && x < w && y >= 0 && y < h) mask[(size_t)y * w + x] = 1;
    }
  }
}

/* DBPostProcess.box_score_fast: the mean probability over the box, drawn with its corners
   truncated to integers inside its bounding box clipped to the map. Returns -1 when out of
   memory. */
static double box_score(const DetMap *map, const Quad *box) {
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (int c = 0; c < 4; ++c) {
    x_lo = fmin(x_lo, box->p[c].x), x_hi = fmax(x_hi, box->p[c].x);
    y_lo = fmin(y_lo, box->p[c].y), y_hi = fmax(y_hi, box->p[c].y);
  }
  int x0 = clampi((int)floor(x_lo), 0, map->w - 1), x1 = clampi((int)ceil(x_hi), 0, map->w - 1);
  int y0 = clampi((int)floor(y_lo), 0, map->h - 1), y1 = clampi((int)ceil(y_hi), 0, map->h - 1);
  int w = x1 - x0 + 1, h = y1 - y0 + 1;
  uint8_t *mask = calloc((size_t)w * (size_t)h, 1);
  if (!mask) {
    fprintf(stderr, "ocr: out of memory scoring a box\n");
    return -1;
  }
  Point local[4];
  for (int c = 0; c < 4; ++c) {
    local[c].x = (int)(float)(box->p[c].x - x0);
    local[c].y = (int)(float)(box->p[c].y - y0);
  }
  fill_polygon(local, 4, mask, w, h);
  double sum = 0;
  size_t count = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (mask[(size_t)y * w + x]) {
        sum += map->prob[(size_t)(y0 + y) * map->w + (size_t)(x0 + x)];
        ++count;
      }
  free(mask);
  return count ? sum / count : 0;
}

/* Clipper's rounding of offset coordinates: halves away from zero. */
static double clipper_round(double v) {
  return v < 0 ? (double)(int64_t)(v - 0.5) : (double)(int64_t)(v + 0.5);
}

/* p moved by delta along the unit vector (dx, dy), on Clipper's integer grid. */
static Point offset_point(Point p, double dx, double dy, double delta) {
  return (Point){clipper_round(p.x + dx * delta), clipper_round(p.y + dy * delta)};
}

/* DBPostProcess.unclip: the box grown by area * ratio / perimeter on every side, the way
   pyclipper offsets a polygon with round joins (corners truncated to integers first, arcs
   within 0.25 px, vertices rounded). Returns the new vertices (to free), their count in *n;
   NULL with *n == 0 when the box is degenerate, NULL with *n == 1 when out of memory. */
static Point *unclip(const Quad *box, size_t *n) {
  double area = 0, perimeter = 0;
  for (int c = 0; c < 4; ++c) {
    Point a = box->p[c], b = box->p[(c + 1) % 4];
    area += a.x * b.y - b.x * a.y;
    perimeter += distance(a, b);
  }
  *n = 0;
  double delta = fabs(area) / 2 * DET_UNCLIP_RATIO / perimeter;
  Point v[4];
  int m = 0;
  for (int c = 0; c < 4; ++c) {
    Point p = {(double)(int64_t)box->p[c].x, (double)(int64_t)box->p[c].y};
    if (m == 0 || p.x != v[m - 1].x || p.y != v[m - 1].y) v[m++] = p;
  }
  while (m > 1 && v[m - 1].x == v[0].x && v[m - 1].y == v[0].y) --m;
  double signed_area = 0;
  for (int c = 0; c < m; ++c) signed_area += v[c].x * v[(c + 1) % m].y - v[(c + 1) % m].x * v[c].y;
  if (m < 3 || signed_area == 0 || !(delta > 0)) return NULL;
  if (signed_area < 0) /* outward normals below need the positive orientation */
    for (int c = 0; c < m / 2; ++c) {
      Point t = v[c];
      v[c] = v[m - 1 - c], v[m - 1 - c] = t;
    }
  /* Arc steps so that a chord strays at most 0.25 px (less for tiny offsets) from the circle. */
  double tolerance = fmin(0.25, delta * 0.25);
  double steps = PI / acos(1 - tolerance / delta);
  if (steps > delta * PI) steps = delta * PI;
  double step_sin = sin(2 * PI / steps), step_cos = cos(2 * PI / steps);
  double steps_per_rad = steps / (2 * PI);

  Point normal[4];
  for (int c = 0; c < m; ++c) {
    Point a = v[c], b = v[(c + 1) % m];
    double len = distance(a, b);
    normal[c] = (Point){(b.y - a.y) / len, -(b.x - a.x) / len};
  }
  size_t cap = (size_t)m * ((size_t)steps + 4);
  Point *out = alloc_array(cap, sizeof *out);
  if (!out) {
    fprintf(stderr, "ocr: out of memory growing a box\n");
    *n = 1;
    return NULL;
  }
  size_t k = 0;
  for (int c = 0; c < m; ++c) {
    Point p = v[c], before = normal[(c + m - 1) % m], after = normal[c];
    double sin_a = before.x * after.y - after.x * before.y;
    double cos_a = before.x * after.x + before.y * after.y;
    if (fabs(sin_a * delta) < 1 && cos_a > 0) { /* almost straight: one vertex */
      out[k++] = offset_point(p, before.x, before.y, delta);
      continue;
    }
    sin_a = fmax(-1, fmin(1, sin_a));
    if (sin_a * delta < 0) { /* concave corner (truncation can bend a thin box) */
      out[k++] = offset_point(p, before.x, before.y, delta);
      out[k++] = p;
    } else { /* an arc from one edge's normal to the next one's */
      int arc = (int)clipper_round(steps_per_rad * fabs(atan2(sin_a, cos_a)));
      double x = before.x, y = before.y;
      for (int i = 0; i < (arc > 1 ? arc : 1) && k + 1 < cap; ++i) {
        out[k++] = offset_point(p, x, y, delta);
        double x2 = x;
        x = x * step_cos - step_sin * y;
        y = x2 * step_sin + y * step_cos;
      }
    }
    out[k++] = offset_point(p, after.x, after.y, delta);
  }
  *n = k;
  return out;
}


static int quads_push(QuadList *list, const Quad *q) {
  if (list->count == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 16;
    Quad *items = realloc(list->items, cap * sizeof *items);
    if (!items) {
      fprintf(stderr, "ocr: out of memory collecting boxes\n");
      return -1;
    }
    list->items = items, list->cap = cap;
  }
  list->items[list->count++] = *q;
  return 0;
}

/* One candidate region (its points) to a box in working-image pixels, as
   DBPostProcess.boxes_from_bitmap and TextDetector.filter_tag_det_res do. Returns 1 when it
   gives a box, 0 when the region is rejected, -1 when out of memory. */
static int region_to_box(const DetMap *map, Point *pts, size_t n, Point *hull, Quad *box) {
  Quad rect;
  if (min_area_rect(pts, n, hull, &rect) < DET_MIN_SIZE) return 0;
  mini_box_order(&rect);
  double score = box_score(map, &rect);
  if (score < 0) return -1;
  if (score < DET_BOX_THRESH) return 0;
  size_t grown_n;
  Point *grown = unclip(&rect, &grown_n);
  if (!grown) return grown_n ? -1 : 0;
  Point *grown_hull = alloc_array(grown_n, 2 * sizeof *grown_hull);
  if (!grown_hull) {
    fprintf(stderr, "ocr: out of memory growing a box\n");
    free(grown);
    return -1;
  }
  double side = min_area_rect(grown, grown_n, grown_hull, &rect);
  free(grown);
  free(grown_hull);
  if (side < DET_MIN_SIZE + 2) return 0;
  mini_box_order(&rect);
  for (int c = 0; c < 4; ++c) {
    double x = rint(rect.p[c].x / map->used_w * map->image_w);
    double y = rint(rect.p[c].y / map->used_h * map->image_h);
    box->p[c].x = fmin(fmax(x, 0), map->image_w);
    box->p[c].y = fmin(fmax(y, 0), map->image_h);
  }
  order_clockwise(box);
  for (int c = 0; c < 4; ++c) {
    box->p[c].x = fmin(fmax(box->p[c].x, 0), map->image_w - 1);
    box->p[c].y = fmin(fmax(box->p[c].y, 0), map->image_h - 1);
  }
  if ((int)distance(box->p[0], box->p[1]) <= 3 || (int)distance(box->p[0], box->p[3]) <= 3)
    return 0;
  return 1;
}

/* The pixels above the threshold, dilated by a 2x2 square (each pixel also lights the ones
   right and below it, as cv2.dilate with its default anchor). */
static void binarize(const DetMap *map, uint8_t *bits) {
  for (int y = 0; y < map->h; ++y)
    for (int x = 0; x < map->w; ++x) {
      int on = 0;
      for (int dy = -1; dy <= 0 && !on; ++dy)
        for (int dx = -1; dx <= 0 && !on; ++dx)
          if (y + dy >= 0 && x + dx >= 0)
            on = map->prob[(size_t)(y + dy) * map->w + (size_t)(x + dx)] > DET_THRESH;
      bits[(size_t)y * map->w + x] = (uint8_t)on;
    }
}

/* Labels the 8-connected regions of bits from 1, in raster order of their first pixel.
   Returns the number of regions. */
static int label_regions(const uint8_t *bits, int w, int h, int32_t *label, int32_t *stack) {
  size_t n = (size_t)w * (size_t)h;
  memset(label, 0, n * sizeof *label);
  int count = 0;
  for (size_t start = 0; start < n; ++start) {
    if (!bits[start] || label[start]) continue;
    label[start] = ++count;
    size_t top = 0;
    stack[top++] = (int32_t)start;
    while (top > 0) {
      int32_t i = stack[--top];
      int x = i % w, y = i / w;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          size_t j = (size_t)ny * w + nx;
          if (bits[j] && !label[j]) {
            label[j] = count;
            stack[top++] = (int32_t)j;
          }
        }
    }
  }
  return count;
}

/* The boxes of the text regions of the detection map, in working-image pixels, clockwise from
   the top left (DBPostProcess, then TextDetector.filter_tag_det_res). The region contours are
   taken in the order cv2.findContours lists them: the last-found first. Appends to boxes;
   returns 0, or -1 when out of memory. */
int boxes_from_map(const DetMap *map, QuadList *boxes) {
  size_t n = (size_t)map->w * (size_t)map->h;
  int status = -1;
  uint8_t *bits = malloc(n);
  int32_t *label = alloc_array(n, sizeof *label), *stack = alloc_array(n, sizeof *stack);
  size_t *first = NULL, *fill = NULL;
  Point *pts = NULL, *hull = NULL;
  if (!bits || !label || !stack) goto oom;
  binarize(map, bits);
  int regions = label_regions(bits, map->w, map->h, label, stack);

  /* A region's hull only needs the ends of its horizontal runs. */
  first = calloc((size_t)regions + 2, sizeof *first);
  fill = calloc((size_t)regions + 1, sizeof *fill);
  if (!first || !fill) goto oom;
  for (int pass = 0; pass < 2; ++pass) {
    for (int y = 0; y < map->h; ++y)
      for (int x = 0; x < map->w; ++x) {
        size_t i = (size_t)y * map->w + x;
        int32_t l = label[i];
        if (!l || (x > 0 && x + 1 < map->w && label[i - 1] == l && label[i + 1] == l)) continue;
        if (pass == 0)
          ++first[l + 1];
        else
          pts[first[l] + fill[l]++] = (Point){x, y};
      }
    if (pass == 0) {
      for (int l = 1; l <= regions; ++l) first[l + 1] += first[l];
      pts = alloc_array(first[regions + 1] + 1, sizeof *pts);
      hull = alloc_array(first[regions + 1] + 1, 2 * sizeof *hull);
      if (!pts || !hull) goto oom;
    }
  }
  int taken = 0;
  for (int l = regions; l >= 1 && taken < DET_MAX_CANDIDATES; --l, ++taken) {
    Quad box;
    int found = region_to_box(map, pts + first[l], first[l + 1] - first[l], hull, &box);
    if (found < 0 || (found > 0 && quads_push(boxes, &box) != 0)) goto done;
  }
  status = 0;
  goto done;
oom:
  fprintf(stderr, "ocr: out of memory finding text regions\n");
done:
  free(bits), free(label), free(stack), free(first), free(fill), free(pts), free(hull);
  return status;
}

/* RapidOCR.sorted_boxes: by the top-left corner's y then x, then each box moves before its
   predecessors on the same line (top-left y within 10 px) that start right of it. */
static int compare_top_left(const void *a, const void *b) {
  const Quad *p = a, *q = b;
  if (p->p[0].y != q->p[0].y) return p->p[0].y < q->p[0].y ? -1 : 1;
  return (p->p[0].x > q->p[0].x) - (p->p[0].x < q->p[0].x);
}

void sort_reading_order(QuadList *boxes) {
  Quad *b = boxes->items;
  size_t n = boxes->count;
  /* Stable insertion sort: ties keep the detection order, as Python's sorted does. */
  for (size_t i = 1; i < n; ++i)
    for (size_t j = i; j > 0 && compare_top_left(&b[j], &b[j - 1]) < 0; --j) {
      Quad t = b[j];
      b[j] = b[j - 1], b[j - 1] = t;
    }
  for (size_t i = 0; i + 1 < n; ++i)
    for (size_t j = i + 1; j-- > 0;) {
      if (!(fabs(b[j + 1].p[0].y - b[j].p[0].y) < 10 && b[j + 1].p[0].x < b[j].p[0].x)) break;
      Quad t = b[j];
      b[j] = b[j + 1], b[j + 1] = t;
    }
}

/* ---------------------------------------------------------------- crops */

/* The homography taking from[i] to to[i] (its last coefficient 1), by Gaussian elimination.
   Returns -1 when the points are degenerate. */
static int homography(const Point from[4], const Point to[4], double hm[9]) {
  double a[8][9];
  for (int i = 0; i < 4; ++i) {
    double u = from[i].x, v = from[i].y, x = to[i].x, y = to[i].y;
    const double row_x[9] = {u, v, 1, 0, 0, 0, -u * x, -v * x, x};
    const double row_y[9] = {0, 0, 0, u, v, 1, -u * y, -v * y, y};
    memcpy(a[2 * i], row_x, sizeof row_x);
    memcpy(a[2 * i + 1], row_y, sizeof row_y);
  }
  for (int col = 0; col < 8; ++col) {
    int pivot = col;
    for (int r = col + 1; r < 8; ++r)
      if (fabs(a[r][col]) > fabs(a[pivot][col])) pivot = r;
    if (fabs(a[pivot][col]) < 1e-12) return -1;
    for (int k = 0; k < 9; ++k) {
      double t = a[col][k];
      a[col][k] = a[pivot][k], a[pivot][k] = t;
    }
    for (int r = 0; r < 8; ++r) {
      if (r == col) continue;
      double f = a[r][col] / a[col][col];
      for (int k = col; k < 9; ++k) a[r][k] -= f * a[col][k];
    }
  }
  for (int i = 0; i < 8; ++i) hm[i] = a[i][8] / a[i][i];
  hm[8] = 1;
  return 0;
}

/* Keys' cubic convolution weights (a = -0.75, OpenCV's INTER_CUBIC) of the 4 pixels around a
   sample that lies a fraction t past the second one. */
static void cubic_weights(float t, float w[4]) {
  const float a = -0.75f;
  float far = t + 1, near = 1 - t;
  w[0] = ((a * far - 5 * a) * far + 8 * a) * far - 4 * a;
  w[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  w[2] = ((a + 2) * near - (a + 3)) * near * near + 1;
  w[3] = 1 - w[0] - w[1] - w[2];
}

/* OpenCV samples a warp at 1/32 pixel positions with 15-bit fixed-point weights. */
#define WARP_SUBPIXELS 32
#define WARP_ONE (1 << 15)

static int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* One output pixel of a bicubic warp from the 4 x 4 pixels from (sx - 1, sy - 1), weighted by
   wx across and wy down; pixels past the edges repeat the edge. */
static void warp_sample(const Image *img, int sx, int sy, const float wx[4], const float wy[4],
                        uint8_t *out) {
  int weight[4][4], total = 0, center = 5;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      weight[i][j] = (int)lrintf(wy[i] * wx[j] * WARP_ONE);
      total += weight[i][j];
      if (i >= 1 && i <= 2 && j >= 1 && j <= 2 && weight[i][j] > weight[center / 4][center % 4])
        center = i * 4 + j;
    }
  /* The rounding residue goes to the heaviest central weight, so flat areas stay flat. */
  weight[center / 4][center % 4] += WARP_ONE - total;
  int xs[4], ys[4];
  for (int k = 0; k < 4; ++k) {
    xs[k] = clampi(sx - 1 + k, 0, img->w - 1);
    ys[k] = clampi(sy - 1 + k, 0, img->h - 1);
  }
  for (int c = 0; c < 3; ++c) {
    int sum = 0;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) sum += weight[i][j] * pixel(img, xs[j], ys[i])[c];
    out[c] = (uint8_t)(sum <= 0 ? 0 : clampi((sum + WARP_ONE / 2) / WARP_ONE, 0, 255));
  }
}

/* RapidOCR.get_crop_img_list's get_rotate_crop_image: the box warped upright to its longer
   edge lengths (bicubic, edges repeated), turned a quarter counter-clockwise when it is at
   least 1.5 times taller than wide. */
int crop_box(const Image *img, const Quad *box, Image *out) {
  const Point *p = box->p;
  int w = (int)fmax(distance(p[0], p[1]), distance(p[2], p[3]));
  int h = (int)fmax(distance(p[0], p[3]), distance(p[1], p[2]));
  const Point upright[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  double hm[9];
  if (w <= 0 || h <= 0 || homography(upright, p, hm) != 0) {
    fprintf(stderr, "ocr: degenerate text box\n");
    return -1;
  }
  float cubic[WARP_SUBPIXELS][4];
  for (int t = 0; t < WARP_SUBPIXELS; ++t) cubic_weights((float)t / WARP_SUBPIXELS, cubic[t]);
  Image warped;
  if (image_init(&warped, w, h) != 0) return -1;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double d = hm[6] * x + hm[7] * y + hm[8];
      d = d != 0 ? WARP_SUBPIXELS / d : 0;
      double fx = fmax(INT32_MIN, fmin(INT32_MAX, (hm[0] * x + hm[1] * y + hm[2]) * d));
      double fy = fmax(INT32_MIN, fmin(INT32_MAX, (hm[3] * x + hm[4] * y + hm[5]) * d));
      int sx = (int)lrint(fx), sy = (int)lrint(fy);
      int ix = floor_div(sx, WARP_SUBPIXELS), iy = floor_div(sy, WARP_SUBPIXELS);
      warp_sample(img, ix, iy, cubic[sx - ix * WARP_SUBPIXELS], cubic[sy - iy * WARP_SUBPIXELS],
                  pixel(&warped, x, y));
    }
  if ((double)h / w < 1.5) {
    *out = warped;
    return 0;
  }
  if (image_init(out, h, w) != 0) {
    image_free(&warped);
    return -1;
  }
  for (int y = 0; y < out->h; ++y)
    for (int x = 0; x < out->w; ++x) memcpy(pixel(out, x, y), pixel(&warped, w - 1 - y, x), 3);
  image_free(&warped);
  return 0;
}

void rotate_180(Image *img) {
  size_t n = (size_t)img->w * (size_t)img->h;
  for (size_t i = 0, j = n - 1; i < j; ++i, --j)
    for (int c = 0; c < 3; ++c) {
      uint8_t t = img->px[i * 3 + c];
      img->px[i * 3 + c] = img->px[j * 3 + c], img->px[j * 3 + c] = t;
    }
}

