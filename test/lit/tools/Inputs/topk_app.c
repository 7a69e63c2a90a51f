/* Runs the topk library with K = argv[1] on the 15 floats that follow (3x5) and prints, per row,
   the values and indices the run produced, after the shapes NAME_result_shape gives. */
#include "topk.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 17) return 2;
  int64_t k = atoll(argv[1]);
  float x[15], values[TOPK_OUTPUT_0_MAX_NUMEL];
  int64_t indices[TOPK_OUTPUT_1_MAX_NUMEL];
  for (int i = 0; i < 15; ++i) x[i] = strtof(argv[2 + i], NULL);
  static char workspace[TOPK_WORKSPACE_SIZE];
  if (topk_infer(x, &k, values, indices, workspace) != DLC_STATUS_OK) return 3;
  int64_t shape[2], index_shape[2];
  if (topk_result_shape(workspace, 0, shape) != DLC_STATUS_OK ||
      topk_result_shape(workspace, 1, index_shape) != DLC_STATUS_OK ||
      shape[0] != index_shape[0] || shape[1] != index_shape[1])
    return 4;
  static const long long max_shape[] = TOPK_OUTPUT_0_MAX_SHAPE;
  printf("%lld %lld\n", (long long)shape[0], (long long)shape[1]);
  for (int64_t r = 0; r < shape[0]; ++r) {
    for (int64_t j = 0; j < shape[1]; ++j)
      printf("%s%g:%lld", j ? " " : "", values[r * max_shape[1] + j],
             (long long)indices[r * max_shape[1] + j]);
    printf("\n");
  }
  return 0;
}
