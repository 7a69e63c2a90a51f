// The dlc-cpu-rounding-conversions pass: a vector conversion to integers of rounded floats
// clamped to integral bounds clamps first and converts with rounding in one instruction; a
// single f32 rounded to bf16 becomes integer arithmetic (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "compiler/Fusion/IntegerClamps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_ROUNDINGCONVERSIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// AVX-512's vcvtps2dq with its rounding given in the instruction ({rn-sae}: to nearest,
/// ties to even, whatever MXCSR says).
constexpr int32_t kRoundToNearestEven = 8;
constexpr int64_t kLanes = 16;

/// fptosi(clamp(roundeven(x), lo, hi)) on 16 f32 lanes -> trunci(vcvtps2dq(clamp(x, lo, hi))):
/// rounding commutes with a clamp to integral bounds, and the conversion rounds. So does
/// fptoui for bounds in [0, 2^31).
///
/// To 8 bits, the truncation saturates (vpmovsdb, vpmovusdb), and the clamp's bound at the
/// type's limit on the side where the conversion's out-of-range result (INT_MIN) lands is
/// dropped: a signed result's lower bound -128, an unsigned one's upper bound 255 (INT_MIN read
/// as unsigned is 2^31).
template <typename ToInteger>
struct RoundingConversion : OpRewritePattern<ToInteger> {
  using OpRewritePattern<ToInteger>::OpRewritePattern;

  LogicalResult matchAndRewrite(ToInteger op, PatternRewriter &rewriter) const override {
    auto from = dyn_cast<VectorType>(op.getIn().getType());
    auto to = cast<VectorType>(op.getType());
    if (!from || from.getRank() != 1 || from.getNumElements() != kLanes ||
        !from.getElementType().isF32() || to.getElementType().getIntOrFloatBitWidth() > 32)
      return failure();
    std::optional<fusion::IntegerClamp> clamp = fusion::matchIntegerClamp(op.getIn());
    if (!clamp)
      return failure();
    auto round = clamp->clamped.template getDefiningOp<math::RoundEvenOp>();
    constexpr bool isSigned = std::is_same_v<ToInteger, arith::FPToSIOp>;
    // The bounds must hold the results in the integer type (so truncating the 32-bit
    // conversion is exact) and in int32, what the instruction converts to.
    unsigned width = to.getElementType().getIntOrFloatBitWidth();
    if (!round || !clamp->fitsIn(width, isSigned) ||
        !clamp->fitsIn(32, /*isSigned=*/true))
      return failure();

    Location loc = op.getLoc();
    auto bound = [&](double value) {
      return arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(from, rewriter.getF32FloatAttr(value)));
    };
    // The bound a saturating narrowing takes the place of: -128 signed, 255 unsigned.
    bool saturates = width == 8 && (isSigned ? clamp->lo == -128.0 : clamp->hi == 255.0);
    bool keepLower = !saturates || !isSigned, keepUpper = !saturates || isSigned;
    Value x = round.getOperand();
    if (keepLower)
      x = arith::MaximumFOp::create(rewriter, loc, x, bound(clamp->lo), clamp->flags);
    if (keepUpper)
      x = arith::MinimumFOp::create(rewriter, loc, x, bound(clamp->hi), clamp->flags);
    auto i32 = VectorType::get({kLanes}, rewriter.getI32Type());
    Value passThrough = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(i32));
    Value all = arith::ConstantOp::create(rewriter, loc, rewriter.getI16IntegerAttr(-1));
    Value rounding =
        arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(kRoundToNearestEven));
    Value integers =
        LLVM::CallIntrinsicOp::create(rewriter, loc, i32,
                                      rewriter.getStringAttr("llvm.x86.avx512.mask.cvtps2dq.512"),
                                      ValueRange{x, passThrough, all, rounding})
            .getResult(0);
    if (saturates) {
      Value zeros = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(to));
      integers = LLVM::CallIntrinsicOp::create(
                     rewriter, loc, to,
                     rewriter.getStringAttr(isSigned ? "llvm.x86.avx512.mask.pmovs.db.512"
                                                     : "llvm.x86.avx512.mask.pmovus.db.512"),
                     ValueRange{integers, zeros, all})
                     .getResult(0);
    } else if (width < 32) {
      integers = arith::TruncIOp::create(rewriter, loc, to, integers);
    }
    rewriter.replaceOp(op, integers);
    return success();
  }
};

struct RoundingConversionsPass : impl::RoundingConversionsPassBase<RoundingConversionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RoundingConversion<arith::FPToSIOp>, RoundingConversion<arith::FPToUIOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // f32 rounded to bf16 in fewer than 4 lanes, or a number of lanes that is not a power of
    // two (a product's last output position, the 2 left of a row of 34), has no x86
    // instruction that LLVM's instruction selection takes: it aborts on them (and on a select
    // of bf16 values). They are rounded on the integer bits instead.
    SmallVector<arith::TruncFOp> scalars;
    getOperation().walk([&](arith::TruncFOp op) {
      auto vector = dyn_cast<VectorType>(op.getType());
      if (getElementTypeOrSelf(op.getType()).isBF16() &&
          getElementTypeOrSelf(op.getIn().getType()).isF32() &&
          (!vector || vector.getNumElements() < 4 ||
           !llvm::isPowerOf2_64(vector.getNumElements())))
        scalars.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (arith::TruncFOp op : scalars)
      roundOnBits(rewriter, op);
  }

  /// bf16(x) = the high half of x's bits plus 0x7FFF plus the lowest kept bit (to nearest,
  /// ties to even); a NaN's high half with its quiet bit set.
  static void roundOnBits(IRRewriter &rewriter, arith::TruncFOp op) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    Type type = op.getIn().getType();
    auto like = [&](Type element) -> Type {
      if (auto vector = dyn_cast<VectorType>(type))
        return vector.clone(element);
      return element;
    };
    Type i32 = like(rewriter.getI32Type()), i16 = like(rewriter.getI16Type());
    auto constant = [&](Type t, int64_t value) -> Value {
      auto element = cast<IntegerType>(getElementTypeOrSelf(t));
      TypedAttr attr = rewriter.getIntegerAttr(element, value);
      if (auto vector = dyn_cast<VectorType>(t))
        attr = DenseElementsAttr::get(vector, attr);
      return arith::ConstantOp::create(rewriter, loc, attr);
    };
    Value x = op.getIn();
    Value bits = arith::BitcastOp::create(rewriter, loc, i32, x);
    Value high = arith::ShRUIOp::create(rewriter, loc, bits, constant(i32, 16));
    Value lowestKept = arith::AndIOp::create(rewriter, loc, high, constant(i32, 1));
    Value bias = arith::AddIOp::create(rewriter, loc, lowestKept, constant(i32, 0x7FFF));
    // A NaN keeps its bits, made quiet, where the bias could carry it into an infinity. The
    // choice is made on the 32-bit integers: LLVM would move a select of the narrow results
    // past their bitcast, onto bf16 values, which instruction selection cannot take either.
    Value isNaN = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, x, x);
    Value quiet = arith::OrIOp::create(rewriter, loc, bits, constant(i32, 0x400000));
    Value biased = arith::AddIOp::create(rewriter, loc, bits, bias);
    Value chosen = arith::SelectOp::create(rewriter, loc, isNaN, quiet, biased);
    Value narrow = arith::TruncIOp::create(
        rewriter, loc, i16, arith::ShRUIOp::create(rewriter, loc, chosen, constant(i32, 16)));
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), narrow);
  }
};

} // namespace
} // namespace dlc::cpu
