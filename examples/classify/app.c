/* Demo: runs the `classifier` library (the small_cnn test model compiled by dlc) on a synthetic
   image, prints the 10 logits and the arg-max class. Built and run by examples/classify/run.sh. */
#include <math.h>
#include <stdio.h>

#include "classifier.h"

/* Everything lives in static storage: a run itself allocates no memory. */
static float image[CLASSIFIER_INPUT_0_NUMEL];
static float logits[CLASSIFIER_OUTPUT_0_NUMEL];
static unsigned char workspace[CLASSIFIER_WORKSPACE_SIZE > 0 ? CLASSIFIER_WORKSPACE_SIZE : 1];

/* A deterministic synthetic image: smooth per-channel patterns in about [-1, 1]. */
static void fill_image(float *pixels, int channels, int height, int width) {
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        pixels[(c * height + y) * width + x] =
            (float)(sin(0.3 * (c + 1) * x) * cos(0.2 * (c + 1) * y));
}

int main(void) {
  static const long long shape[] = CLASSIFIER_INPUT_0_SHAPE; /* {1, 3, H, W} */
  fill_image(image, (int)shape[1], (int)shape[2], (int)shape[3]);

  int status = classifier_infer(image, logits, workspace);
  if (status != DLC_STATUS_OK) {
    fprintf(stderr, "classifier_infer failed with status %d%s\n", status,
            status == DLC_STATUS_UNSUPPORTED_CPU ? " (this CPU lacks the target's features)" : "");
    return 1;
  }

  int best = 0;
  for (int k = 0; k < CLASSIFIER_OUTPUT_0_NUMEL; ++k) {
    printf("logit[%d] = %+.9g\n", k, logits[k]); /* 9 digits: the float exactly */
    if (logits[k] > logits[best]) best = k;
  }
  printf("class: %d\n", best);
  return 0;
}
