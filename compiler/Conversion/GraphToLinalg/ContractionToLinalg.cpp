// Lowers graph.matmul (batched, broadcasting) to a linalg.generic contraction.
// Loop order (batch..., m, k, n) keeps the innermost loop streaming along rows of rhs and result.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc::graph;

namespace dlc::conversion {
namespace {

/// The map from iteration space (batch..., m, k, n) to an operand whose last two dimensions are
/// indexed by `rowDim`, `colDim`; leading batch dimensions broadcast as in numpy.
AffineMap operandMap(ArrayRef<int64_t> shape, ArrayRef<int64_t> batchShape, unsigned rowDim,
                     unsigned colDim, MLIRContext *ctx) {
  unsigned numDims = batchShape.size() + 3;
  AffineMap batch = broadcastMap(shape.drop_back(2), batchShape, ctx);
  SmallVector<AffineExpr> exprs(batch.getResults());
  exprs.push_back(getAffineDimExpr(rowDim, ctx));
  exprs.push_back(getAffineDimExpr(colDim, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = signlessType(op.getType());
    ArrayRef<int64_t> batchShape = resultType.getShape().drop_back(2);
    unsigned b = batchShape.size(), m = b, k = b + 1, n = b + 2;

    AffineMap lhsMap = operandMap(tensorType(adaptor.getLhs()).getShape(), batchShape, m, k, ctx);
    AffineMap rhsMap = operandMap(tensorType(adaptor.getRhs()).getShape(), batchShape, k, n, ctx);
    AffineMap outMap = operandMap(resultType.getShape(), batchShape, m, n, ctx);

    Type elementType = resultType.getElementType();
    Value init = filledTensor(rewriter, loc, resultType, scalarConstant(rewriter, loc, elementType, 0));
    // 8-bit integer operands of an int32 product are extended by their own signedness, bf16
    // operands of an f32 one exactly.
    bool unsignedOperand[] = {isUnsignedElement(op.getLhs().getType()),
                              isUnsignedElement(op.getRhs().getType())};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{adaptor.getLhs(), adaptor.getRhs()}, init,
        ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iteratorTypes(b + 3, {k}),
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          Value product = combine(nested, nestedLoc, Combiner::Mul,
                                  widenTo(nested, nestedLoc, args[0], elementType,
                                          unsignedOperand[0]),
                                  widenTo(nested, nestedLoc, args[1], elementType,
                                          unsignedOperand[1]));
          Value sum = combine(nested, nestedLoc, Combiner::Add, args[2], product);
          linalg::YieldOp::create(nested, nestedLoc, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering>(patterns.getContext());
}

} // namespace dlc::conversion
