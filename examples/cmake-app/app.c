/* Runs the two models of examples/cmake-app once each on inputs computed here (element i of
   every input is sin(0.01 i)) and prints every output element, one per line, after the line
   "<name> <count>". check.py compares them with onnxruntime. */
#include "classifier.h"
#include "scorer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void fill(float *data, size_t count) {
  for (size_t i = 0; i < count; ++i)
    data[i] = sinf(0.01f * (float)i);
}

static void print(const char *name, const float *data, size_t count) {
  printf("%s %zu\n", name, count);
  for (size_t i = 0; i < count; ++i)
    printf("%.9g\n", data[i]);
}

int main(void) {
  static float image[CLASSIFIER_INPUT_0_NUMEL], logits[CLASSIFIER_OUTPUT_0_NUMEL];
  static float x[SCORER_INPUT_0_NUMEL], probs[SCORER_OUTPUT_0_NUMEL];
  char why[256];
  if (classifier_check_cpu(why, sizeof why) != DLC_STATUS_OK) {
    fprintf(stderr, "app: classifier cannot run here: %s\n", why);
    return 2;
  }
  void *workspace = malloc(CLASSIFIER_WORKSPACE_SIZE > SCORER_WORKSPACE_SIZE
                               ? CLASSIFIER_WORKSPACE_SIZE
                               : SCORER_WORKSPACE_SIZE);
  if (!workspace)
    return 1;
  fill(image, CLASSIFIER_INPUT_0_NUMEL);
  fill(x, SCORER_INPUT_0_NUMEL);
  int status = classifier_infer(image, logits, workspace);
  if (status == DLC_STATUS_OK)
    status = scorer_infer(x, probs, workspace);
  free(workspace);
  if (status != DLC_STATUS_OK) {
    fprintf(stderr, "app: a run returned status %d\n", status);
    return 1;
  }
  print("classifier", logits, CLASSIFIER_OUTPUT_0_NUMEL);
  print("scorer", probs, SCORER_OUTPUT_0_NUMEL);
  return 0;
}
