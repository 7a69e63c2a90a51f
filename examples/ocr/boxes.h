/* Text boxes for the OCR example: the detection map's post-processing (rapidocr's
   DBPostProcess and TextDetector filtering), reading order, and the crops the classifier and
   the recognizer read. */
#ifndef OCR_BOXES_H
#define OCR_BOXES_H

#include "image.h"

typedef struct {
  double x, y;
} Point;

/* A box's four corners; after detection, clockwise from the top left, in integers. */
typedef struct {
  Point p[4];
} Quad;

/* The detection map and how the working image sits in it. */
typedef struct {
  const float *prob;
  int w, h;             /* the map */
  int used_w, used_h;   /* the part the image was scaled into, from the top left */
  int image_w, image_h; /* the working image */
} DetMap;

/* A growable list of boxes. */
typedef struct {
  Quad *items;
  size_t count, cap;
} QuadList;

/* The boxes of the text regions of the detection map, in working-image pixels, clockwise from
   the top left (DBPostProcess, then TextDetector.filter_tag_det_res). The region contours are
   taken in the order cv2.findContours lists them: the last-found first. Appends to boxes;
   returns 0, or -1 when out of memory. */
int boxes_from_map(const DetMap *map, QuadList *boxes);

/* RapidOCR.sorted_boxes: top to bottom, then left to right within 10 pixels of height. */
void sort_reading_order(QuadList *boxes);

/* RapidOCR.get_crop_img_list's get_rotate_crop_image: the box warped upright to its longer
   edge lengths (bicubic, edges repeated), turned a quarter counter-clockwise when it is at
   least 1.5 times taller than wide. */
int crop_box(const Image *img, const Quad *box, Image *out);

/* Turns img by 180 degrees in place (the classifier found it upside down). */
void rotate_180(Image *img);

#endif
