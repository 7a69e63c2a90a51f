// The graph -> linalg conversion patterns, one populate function per op family.
// GraphToLinalg.cpp gathers them into the pass.
#ifndef DLC_COMPILER_CONVERSION_GRAPHTOLINALG_PATTERNS_H
#define DLC_COMPILER_CONVERSION_GRAPHTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace dlc::conversion {

/// Constants, broadcasting binary ops, unary math, clip and cast.
void populateElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Batched, broadcasting matrix products.
void populateContractionToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Convolution and pooling.
void populateWindowToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Reductions and softmax.
void populateReductionToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Reshape, transpose, concat, slice and gather.
void populateDataMovementToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Scatters and top-k: scf loop nests of tensor.insert.
void populateScatterToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace dlc::conversion

#endif
