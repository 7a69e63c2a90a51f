// The pieces dlc-cpu-lower-convolutions builds each convolution strategy from: the named
// convolution's operands (Convolution), what its sums start from (Start), and one lowering per
// strategy, in the file of its family (ConvolutionLowering.cpp: shared helpers and the
// products over im2col columns; LowerWinograd.cpp; LowerDotConvolutions.cpp: int8 and bf16 on
// dot-product instructions; LowerDirectConvolutions.cpp). LowerConvolutions.cpp chooses.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_CONVOLUTIONLOWERING_H
#define DLC_TARGETS_CPU_TRANSFORMS_CONVOLUTIONLOWERING_H

#include "targets/CPU/Transforms/Winograd.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

#include <optional>

namespace dlc::cpu::convolutions {

using namespace mlir;

RankedTensorType tensorType(Value value);
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type);
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value value);
Value zeroOf(OpBuilder &b, Location loc, Type type);
/// `rank` parallel iterators but for the `reductions`.
SmallVector<utils::IteratorType> iterators(int64_t rank, ArrayRef<int64_t> reductions);
Value widen(OpBuilder &b, Location loc, Value value, Type wide);
void multiplyAddBody(OpBuilder &b, Location loc, ValueRange args);
void addBody(OpBuilder &b, Location loc, ValueRange args);
Value collapseTrailing(OpBuilder &b, Location loc, Value value, int64_t from);

/// The operands and attributes of a named convolution (NCW, NCHW or NCDHW input, FC.. filter).
struct Convolution {
  Operation *op;
  Value input;  ///< [N, C, D..], already padded
  Value filter; ///< [F, C, K..]
  Value init;   ///< [N, F, O..]: what the sums start from
  SmallVector<int64_t> strides, dilations;

  RankedTensorType resultType() const { return tensorType(op->getResult(0)); }
  int64_t spatial() const { return resultType().getRank() - 2; }
};

std::optional<Convolution> matchConvolution(Operation *op);

/// What a convolution's sums start from, read from its init: the graph lowering builds a fill
/// (zero, without a bias) or a bias [F] broadcast along dimension 1. Each is rebuilt in the
/// shape a strategy needs; any other init is reshaped.
struct Start {
  Value fill; ///< the filled value when the init is a linalg.fill
  Value bias; ///< the [F] bias when the init broadcasts one
  Value init; ///< the init itself

  bool isZero() const {
    return fill && (matchPattern(fill, m_AnyZeroFloat()) || matchPattern(fill, m_Zero()));
  }
};

Start readStart(Value init);
Value buildStart(OpBuilder &b, Location loc, const Start &start, RankedTensorType type,
                 llvm::function_ref<Value(Value)> reshape);
Value addStart(OpBuilder &b, Location loc, Value sums, const Start &start);

// Products over im2col columns (ConvolutionLowering.cpp).
Value transpose2D(OpBuilder &b, Location loc, Value matrix);
Value im2col(OpBuilder &b, Location loc, const Convolution &conv);
Value lowerAsProduct(OpBuilder &b, Location loc, const Convolution &conv, Value col,
                     Value filter, const Start &start);
Value lowerAsTransposedProduct(OpBuilder &b, Location loc, const Convolution &conv, Value col,
                               Value filter);

// Winograd (LowerWinograd.cpp).
DenseElementsAttr winogradFilters(const Convolution &conv);
int64_t minimumWinogradTiles(int64_t lanes);
const winograd::Variant *winogradVariantOf(const Convolution &conv, int64_t lanes);
Value lowerAsWinograd(OpBuilder &b, Location loc, const Convolution &conv,
                      DenseElementsAttr filters, const Start &start,
                      const winograd::Variant &variant);

// int8 and bf16 on dot-product instructions (LowerDotConvolutions.cpp).
DenseElementsAttr dotFiltersOf(const Convolution &conv);
Value lowerAsDotProduct(OpBuilder &b, Location loc, const Convolution &conv,
                        DenseElementsAttr filters);

/// A depthwise convolution (one input and one output channel per group; 2-D; int8 or bf16
/// operands; constant filters) as dlc-convert-graph-to-linalg writes grouped convolutions: a
/// generic over (n, g, f, c, kh, kw, oh, ow) reading the padded input [N, G, 1, H, W] and the
/// filters [G, 1, 1, KH, KW] into [N, G, 1, OH, OW]. lowerDepthwise computes it on dot products.
struct Depthwise {
  linalg::GenericOp op;
  DenseElementsAttr filters;
  SmallVector<int64_t> strides, dilations;

  Value input() { return op.getDpsInputs()[0]; }
  Value init() { return op.getDpsInits()[0]; }
};

std::optional<Depthwise> matchDepthwise(linalg::GenericOp op);
void lowerDepthwise(OpBuilder &b, Depthwise conv);

// Direct convolutions, the input read in place (LowerDirectConvolutions.cpp).
bool canRunDirect(const Convolution &conv);
bool directFirst(const Convolution &conv, int64_t lanes);
bool transposedDirectFirst(const Convolution &conv, int64_t lanes);
Value lowerAsDirect(OpBuilder &b, Location loc, const Convolution &conv, const Start &start,
                    int64_t lanes);
Value lowerAsTransposedDirect(OpBuilder &b, Location loc, const Convolution &conv,
                              const Start &start);

} // namespace dlc::cpu::convolutions

#endif
