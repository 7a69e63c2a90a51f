/* Runs the nonzero library on the floats in argv[1] (12 values, 3x4) and prints the indices the
   run produced, with the shape NAME_result_shape gives, as one line per row. */
#include "nz.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 13) return 2;
  float x[12], z[12];
  for (int i = 0; i < 12; ++i) x[i] = strtof(argv[1 + i], NULL);
  int64_t y[NZ_OUTPUT_0_MAX_NUMEL];
  static char workspace[NZ_WORKSPACE_SIZE];
  int status = nz_infer(x, y, z, workspace);
  if (status != DLC_STATUS_OK) return 10 + status;
  int64_t shape[NZ_OUTPUT_0_RANK], relu_shape[NZ_OUTPUT_1_RANK];
  if (nz_result_shape(workspace, 0, shape) != DLC_STATUS_OK ||
      nz_result_shape(workspace, 1, relu_shape) != DLC_STATUS_OK ||
      nz_result_shape(workspace, 2, shape + 0) != DLC_STATUS_BAD_DIMENSION ||
      nz_result_shape(NULL, 0, shape) != DLC_STATUS_NULL_ARGUMENT)
    return 3;
  if (relu_shape[0] != 3 || relu_shape[1] != 4) return 4;
  static const long long max_shape[] = NZ_OUTPUT_0_MAX_SHAPE;
  printf("shape %lld %lld\n", (long long)shape[0], (long long)shape[1]);
  for (int d = 0; d < 2; ++d) {
    for (int64_t j = 0; j < shape[1]; ++j)
      printf("%s%lld", j ? " " : "", (long long)y[d * max_shape[1] + j]);
    printf("\n");
  }
  return 0;
}
