/* Text boxes for the OCR example: from the detection map to boxes in reading order, and
   from a box to an upright crop. */
#include "boxes.h"

#include <float.h>
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

/* Puts the hull (convex_hull's output) in the order cv::convexHull(contour, clockwise=true)
   lists an outer contour's from cv2.findContours: from the contour's first point, the topmost
   one furthest left, counter-clockwise on the screen (down the left side first).
   cv::rotatingCalipers' rounding depends on that order. */
static void opencv_hull_order(Point *hull, size_t m) {
  double twice_area = 0;
  for (size_t i = 0; i < m; ++i) twice_area += cross(hull[0], hull[i], hull[(i + 1) % m]);
  if (twice_area > 0) /* clockwise on the screen (y down): reverse */
    for (size_t i = 0; i < m / 2; ++i) {
      Point t = hull[i];
      hull[i] = hull[m - 1 - i], hull[m - 1 - i] = t;
    }
  size_t first = 0;
  for (size_t i = 1; i < m; ++i)
    if (hull[i].y < hull[first].y || (hull[i].y == hull[first].y && hull[i].x < hull[first].x))
      first = i;
  for (size_t r = 0; r < first; ++r) { /* rotate left by `first` (m is small) */
    Point t = hull[0];
    memmove(hull, hull + 1, (m - 1) * sizeof *hull);
    hull[m - 1] = t;
  }
}

/* Edge i of the hull p (from p[i] to the next point) in single precision, and the inverse of its
   length, as cv::rotatingCalipers computes them. */
static void caliper_edge(const Point *p, size_t n, size_t i, float *vx, float *vy, float *inv) {
  size_t j = i + 1 < n ? i + 1 : 0;
  double dx = (float)p[j].x - (float)p[i].x, dy = (float)p[j].y - (float)p[i].y;
  *vx = (float)dx, *vy = (float)dy;
  *inv = (float)(1. / sqrt(dx * dx + dy * dy));
}

/* cv::rotatingCalipers (CALIPERS_MINAREARECT) over the hull p (n > 2 points, which OpenCV holds
   in float): a corner of the smallest rectangle and its two side vectors, out = {corner x, y,
   side 1 x, y, side 2 x, y}, in single precision and with OpenCV's ties (the last smallest area
   wins), which decide the corners' last bits. */
static void rotating_calipers(const Point *p, size_t n, float out[6]) {
  size_t left = 0, bottom = 0, right = 0, top = 0;
  float left_x = (float)p[0].x, right_x = left_x, top_y = (float)p[0].y, bottom_y = top_y;
  for (size_t i = 0; i < n; ++i) {
    float x = (float)p[i].x, y = (float)p[i].y;
    if (x < left_x) left_x = x, left = i;
    if (x > right_x) right_x = x, right = i;
    if (y > top_y) top_y = y, top = i;
    if (y < bottom_y) bottom_y = y, bottom = i;
  }
  float orientation = 0, ax, ay, bx, by, inv;
  caliper_edge(p, n, n - 1, &ax, &ay, &inv);
  for (size_t i = 0; i < n && orientation == 0; ++i) {
    caliper_edge(p, n, i, &bx, &by, &inv);
    double convexity = (double)ax * by - (double)ay * bx;
    if (convexity != 0) orientation = convexity > 0 ? 1.f : -1.f;
    ax = bx, ay = by;
  }
  float base_a = orientation, base_b = 0, min_area = FLT_MAX;
  size_t seq[4] = {bottom, right, top, left}, best_left = 0, best_bottom = 0;
  float best_a = 0, best_b = 0, best_width = 0, best_height = 0;
  for (size_t k = 0; k < n; ++k) {
    float vx[4], vy[4], vinv[4];
    for (int s = 0; s < 4; ++s) caliper_edge(p, n, seq[s], &vx[s], &vy[s], &vinv[s]);
    const float dp[4] = {base_a * vx[0] + base_b * vy[0], -base_b * vx[1] + base_a * vy[1],
                         -base_a * vx[2] - base_b * vy[2], base_b * vx[3] - base_a * vy[3]};
    int main_element = 0;
    float max_cos = dp[0] * vinv[0];
    for (int s = 1; s < 4; ++s) {
      float cos_alpha = dp[s] * vinv[s];
      if (cos_alpha > max_cos) main_element = s, max_cos = cos_alpha;
    }
    float lead_x = vx[main_element] * vinv[main_element];
    float lead_y = vy[main_element] * vinv[main_element];
    switch (main_element) {
    case 0: base_a = lead_x, base_b = lead_y; break;
    case 1: base_a = lead_y, base_b = -lead_x; break;
    case 2: base_a = -lead_x, base_b = -lead_y; break;
    default: base_a = -lead_y, base_b = lead_x; break;
    }
    seq[main_element] = seq[main_element] + 1 == n ? 0 : seq[main_element] + 1;
    float dx = (float)p[seq[1]].x - (float)p[seq[3]].x;
    float dy = (float)p[seq[1]].y - (float)p[seq[3]].y;
    float width = dx * base_a + dy * base_b;
    dx = (float)p[seq[2]].x - (float)p[seq[0]].x, dy = (float)p[seq[2]].y - (float)p[seq[0]].y;
    float height = -dx * base_b + dy * base_a;
    float area = width * height;
    if (area <= min_area) {
      min_area = area;
      best_left = seq[3], best_bottom = seq[0];
      best_a = base_a, best_b = base_b, best_width = width, best_height = height;
    }
  }
  float a1 = best_a, b1 = best_b, a2 = -best_b, b2 = best_a;
  float c1 = a1 * (float)p[best_left].x + (float)p[best_left].y * b1;
  float c2 = a2 * (float)p[best_bottom].x + (float)p[best_bottom].y * b2;
  float idet = 1.f / (a1 * b2 - a2 * b1);
  out[0] = (c1 * b2 - c2 * b1) * idet;
  out[1] = (a1 * c2 - a2 * c1) * idet;
  out[2] = a1 * best_width, out[3] = b1 * best_width;
  out[4] = a2 * best_height, out[5] = b2 * best_height;
}

/* The smallest-area rectangle around the points, with the corners
   cv2.boxPoints(cv2.minAreaRect(points)) gives: OpenCV computes them in single precision, so
   that a corner can come out as 79.99999 where the exact one is 80, which the truncations
   downstream (box scores, pyclipper) turn into 79. The hull is taken in the order OpenCV gets
   it from a region's contour (opencv_hull_order); pyclipper lists a grown box's points from
   elsewhere, but the rounded corners of grown boxes have agreed with rapidocr's on every box
   tried. Returns the shorter side (0 when the points do not span an area). pts is reordered;
   hull has room for 2n points. */
static double min_area_rect(Point *pts, size_t n, Point *hull, Quad *rect) {
  size_t m = convex_hull(pts, n, hull);
  if (m < 3) return 0;
  opencv_hull_order(hull, m);
  float out[6];
  rotating_calipers(hull, m, out);
  /* cv::minAreaRect */
  float cx = out[0] + (out[2] + out[4]) * 0.5f, cy = out[1] + (out[3] + out[5]) * 0.5f;
  float width = (float)sqrt((double)out[2] * out[2] + (double)out[3] * out[3]);
  float height = (float)sqrt((double)out[4] * out[4] + (double)out[5] * out[5]);
  float angle = (float)atan2((double)out[3], (double)out[2]);
  angle = (float)((double)(angle * 180.f) / PI);
  /* cv::RotatedRect::points */
  double radians = angle * PI / 180.;
  float b = (float)cos(radians) * 0.5f, a = (float)sin(radians) * 0.5f;
  float x0 = cx - a * height - b * width, y0 = cy + b * height - a * width;
  float x1 = cx + a * height - b * width, y1 = cy - b * height - a * width;
  const float xs[4] = {x0, x1, 2 * cx - x0, 2 * cx - x1};
  const float ys[4] = {y0, y1, 2 * cy - y0, 2 * cy - y1};
  for (int c = 0; c < 4; ++c) rect->p[c] = (Point){xs[c], ys[c]};
  return fmin(width, height);
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
  for (int c = 0; c < 4; ++c) { /* in single precision, as numpy scales the float32 corners */
    double x = rintf((float)rect.p[c].x / (float)map->used_w * (float)map->image_w);
    double y = rintf((float)rect.p[c].y / (float)map->used_h * (float)map->image_h);
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

/* cv2.getPerspectiveTransform(from, to): the 8 x 8 system OpenCV builds (its products of
   coordinates in single precision) solved by its LU decomposition with partial pivoting
   (hal::LUImpl), the same operations in the same order. Returns -1 when it is singular. */
static int perspective_transform(const Point from[4], const Point to[4], double m[9]) {
  double a[8][8] = {{0}}, b[8];
  for (int i = 0; i < 4; ++i) {
    float u = (float)from[i].x, v = (float)from[i].y, x = (float)to[i].x, y = (float)to[i].y;
    a[i][0] = a[i + 4][3] = u;
    a[i][1] = a[i + 4][4] = v;
    a[i][2] = a[i + 4][5] = 1;
    a[i][6] = -u * x, a[i][7] = -v * x;
    a[i + 4][6] = -u * y, a[i + 4][7] = -v * y;
    b[i] = x, b[i + 4] = y;
  }
  for (int i = 0; i < 8; ++i) {
    int k = i;
    for (int j = i + 1; j < 8; ++j)
      if (fabs(a[j][i]) > fabs(a[k][i])) k = j;
    if (fabs(a[k][i]) < DBL_EPSILON * 100) return -1;
    if (k != i) {
      for (int j = i; j < 8; ++j) {
        double t = a[i][j];
        a[i][j] = a[k][j], a[k][j] = t;
      }
      double t = b[i];
      b[i] = b[k], b[k] = t;
    }
    double d = -1 / a[i][i];
    for (int j = i + 1; j < 8; ++j) {
      double alpha = a[j][i] * d;
      for (k = i + 1; k < 8; ++k) a[j][k] += alpha * a[i][k];
      b[j] += alpha * b[i];
    }
  }
  for (int i = 7; i >= 0; --i) {
    double s = b[i];
    for (int k = i + 1; k < 8; ++k) s -= a[i][k] * b[k];
    m[i] = b[i] = s / a[i][i];
  }
  m[8] = 1;
  return 0;
}

/* cv::invert of a 3 x 3 matrix (its closed form). Returns -1 when it is singular. */
static int invert3(const double s[9], double t[9]) {
#define S(r, c) s[(r) * 3 + (c)]
  double d = S(0, 0) * (S(1, 1) * S(2, 2) - S(1, 2) * S(2, 1)) -
             S(0, 1) * (S(1, 0) * S(2, 2) - S(1, 2) * S(2, 0)) +
             S(0, 2) * (S(1, 0) * S(2, 1) - S(1, 1) * S(2, 0));
  if (d == 0) return -1;
  d = 1. / d;
  t[0] = (S(1, 1) * S(2, 2) - S(1, 2) * S(2, 1)) * d;
  t[1] = (S(0, 2) * S(2, 1) - S(0, 1) * S(2, 2)) * d;
  t[2] = (S(0, 1) * S(1, 2) - S(0, 2) * S(1, 1)) * d;
  t[3] = (S(1, 2) * S(2, 0) - S(1, 0) * S(2, 2)) * d;
  t[4] = (S(0, 0) * S(2, 2) - S(0, 2) * S(2, 0)) * d;
  t[5] = (S(0, 2) * S(1, 0) - S(0, 0) * S(1, 2)) * d;
  t[6] = (S(1, 0) * S(2, 1) - S(1, 1) * S(2, 0)) * d;
  t[7] = (S(0, 1) * S(2, 0) - S(0, 0) * S(2, 1)) * d;
  t[8] = (S(0, 0) * S(1, 1) - S(0, 1) * S(1, 0)) * d;
#undef S
  return 0;
}

/* The bicubic weights (a = -0.75) of the 4 pixels around a sample a fraction t past the second,
   in single precision with fused multiply-adds where OpenCV 5's vector code has them. */
static void cubic_weights(float t, float w[4]) {
  const float a = -0.75f;
  float t2 = t * t, u = 1 - t;
  w[0] = a * (t * (u * u));
  w[3] = a * (t2 * u);
  w[1] = fmaf(t2, fmaf(a + 2, t, -(a + 3)), 1);
  w[2] = 1 - w[0] - w[1] - w[3];
}

/* One channel of 4 pixels weighted as OpenCV 5 sums them: v0 * w0, then fused multiply-adds. */
static float weigh4(float v0, float v1, float v2, float v3, const float w[4]) {
  return fmaf(v3, w[3], fmaf(v2, w[2], fmaf(v1, w[1], v0 * w[0])));
}

/* cv2.warpPerspective(img, m, (w, h), flags=INTER_CUBIC, borderMode=BORDER_REPLICATE) as
   OpenCV 5 computes it: the inverse map rounded to single precision, each output pixel sampled
   at its exact (not 1/32-pixel) source position, found in double precision and rounded to
   float, with float weights; rows are summed, then columns, by fused multiply-adds, and the
   result rounded half to even. Returns 0, -1 when m is singular, or -2 when out of memory. */
static int warp_cubic(const Image *img, const double m[9], int w, int h, Image *out) {
  double inv[9];
  if (invert3(m, inv) != 0) return -1;
  float mf[9];
  for (int i = 0; i < 9; ++i) mf[i] = (float)inv[i];
  if (image_init(out, w, h) != 0) return -2;
  float big_w = (float)(img->w > 16 ? img->w : 16), big_h = (float)(img->h > 16 ? img->h : 16);
  for (int y = 0; y < h; ++y) {
    float row_x = (float)y * mf[1] + mf[2], row_y = (float)y * mf[4] + mf[5];
    float row_w = (float)y * mf[7] + mf[8];
    for (int x = 0; x < w; ++x) {
      double inv_w = 1 / ((double)row_w + (double)mf[6] * x);
      float sx = (float)(((double)row_x + (double)mf[0] * x) * inv_w);
      float sy = (float)(((double)row_y + (double)mf[3] * x) * inv_w);
      sx = sx < -big_w ? -big_w : sx > 2 * big_w ? 2 * big_w : sx;
      sy = sy < -big_h ? -big_h : sy > 2 * big_h ? 2 * big_h : sy;
      float fx = floorf(sx), fy = floorf(sy);
      int ix = (int)fx, iy = (int)fy;
      float wx[4], wy[4];
      cubic_weights(sx - fx, wx);
      cubic_weights(sy - fy, wy);
      int xs[4], ys[4];
      for (int k = 0; k < 4; ++k) {
        xs[k] = clampi(ix - 1 + k, 0, img->w - 1);
        ys[k] = clampi(iy - 1 + k, 0, img->h - 1);
      }
      uint8_t *o = pixel(out, x, y);
      for (int c = 0; c < 3; ++c) {
        float rows[4];
        for (int r = 0; r < 4; ++r)
          rows[r] = weigh4(pixel(img, xs[0], ys[r])[c], pixel(img, xs[1], ys[r])[c],
                           pixel(img, xs[2], ys[r])[c], pixel(img, xs[3], ys[r])[c], wx);
        float v = rintf(weigh4(rows[0], rows[1], rows[2], rows[3], wy));
        o[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
      }
    }
  }
  return 0;
}

/* RapidOCR.get_crop_img_list's get_rotate_crop_image: the box warped upright to its longer
   edge lengths (bicubic, edges repeated), turned a quarter counter-clockwise when it is at
   least 1.5 times taller than wide. */
int crop_box(const Image *img, const Quad *box, Image *out) {
  const Point *p = box->p;
  int w = (int)fmax(distance(p[0], p[1]), distance(p[2], p[3]));
  int h = (int)fmax(distance(p[0], p[3]), distance(p[1], p[2]));
  const Point upright[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  double m[9];
  Image warped;
  int status = w > 0 && h > 0 && perspective_transform(p, upright, m) == 0
                   ? warp_cubic(img, m, w, h, &warped)
                   : -1;
  if (status == -1) fprintf(stderr, "ocr: degenerate text box\n");
  if (status != 0) return -1;
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

