// The dlc-cpu-lower-convolutions pass: linalg's named convolutions become what the CPU kernels
// run fastest: Winograd F(4x4, 3x3) or F(2x2, 3x3), a matrix product over im2col columns (or
// transposed), or a direct convolution over the input read in place; int8 and bf16 depthwise
// ones a product on dot-product instructions (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/ConvolutionLowering.h"
#include "targets/CPU/Transforms/Strategies.h"
#include "targets/Target.h"

#include "dialects/Graph/IR/NodeNames.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_LOWERCONVOLUTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;
using namespace convolutions;

/// The names of the strategies an f32 convolution can run as, which dlc tune measures and
/// tuning files (targets::kTuningAttr) choose by.
constexpr llvm::StringLiteral kWinogradF4 = "winograd-f4x4", kWinogradF2 = "winograd-f2x2",
                              kProduct = "product", kTransposedProduct = "transposed-product",
                              kDirect = "direct", kTransposedDirect = "transposed-direct";

/// The shape of `conv` as tuning files key it: the padded input, the filters, the result,
/// strides, dilations and element type ("conv 1x512x9x9 2048x512x3x3 1x2048x7x7 s1x1 d1x1
/// f32"). Convolutions with equal keys run the same code.
std::string tuningKey(const Convolution &conv) {
  auto list = [](ArrayRef<int64_t> values) {
    SmallVector<std::string> items;
    for (int64_t value : values)
      items.push_back(std::to_string(value));
    return llvm::join(items, "x");
  };
  auto shape = [&](Value value) { return list(tensorType(value).getShape()); };
  std::string type;
  llvm::raw_string_ostream os(type);
  os << conv.resultType().getElementType();
  return "conv " + shape(conv.input) + " " + shape(conv.filter) + " " +
         shape(conv.op->getResult(0)) + " s" + list(conv.strides) + " d" +
         list(conv.dilations) + " " + type;
}

/// Rewrites one convolution with the strategy its shape calls for, on a target whose vectors
/// hold `lanes` f32 lanes (the products' column blocks are one or two vectors wide) and whose L2
/// cache holds `l2Bytes`, or with the strategy `tuning` (the function's targets::kTuningAttr)
/// names for its shape.
void lowerConvolution(OpBuilder &b, const Convolution &conv, int64_t lanes, int64_t l2Bytes,
                      DictionaryAttr tuning) {
  Location loc = conv.op->getLoc();
  b.setInsertionPoint(conv.op);
  Start start = readStart(conv.init);
  RankedTensorType resultType = conv.resultType();
  Value result;
  if (DenseElementsAttr dotFilters = dotFiltersOf(conv)) {
    recordStrategy(conv.op, "dot-product blocks",
                   "int8 or bf16 operands with constant filters: vpdpbusd or vdpbf16ps");
    result = addStart(b, loc,
                      tensor::ExpandShapeOp::create(
                          b, loc, resultType, lowerAsDotProduct(b, loc, conv, dotFilters),
                          SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}}),
                      start);
    conv.op->getResult(0).replaceAllUsesWith(result);
    conv.op->erase();
    return;
  }
  // The candidates, and the strategy the rules choose with its reason.
  DenseElementsAttr winogradFilters = cpu::winogradFilters(conv);
  int64_t filters = resultType.getDimSize(1);
  int64_t positions = 1, rows = 1;
  for (int64_t d = 2; d < resultType.getRank(); ++d)
    positions *= resultType.getDimSize(d);
  for (int64_t d = 1; d < tensorType(conv.filter).getRank(); ++d)
    rows *= tensorType(conv.filter).getDimSize(d);
  SmallVector<std::string> candidates;
  if (winogradFilters)
    candidates = {kWinogradF4.str(), kWinogradF2.str()};
  candidates.push_back(kProduct.str());
  // The transposed product packs the filters into panels of two vectors.
  if (filters % (2 * lanes) == 0)
    candidates.push_back(kTransposedProduct.str());
  bool direct = canRunDirect(conv);
  if (direct)
    candidates.push_back(kDirect.str());
  // The transposed direct convolution runs whole vectors of filters.
  if (direct && filters % lanes == 0)
    candidates.push_back(kTransposedDirect.str());
  bool view = llvm::all_of(tensorType(conv.filter).getShape().drop_front(2),
                           [](int64_t k) { return k == 1; }) &&
              llvm::all_of(conv.strides, [](int64_t s) { return s == 1; });
  std::string columns = view ? "1x1 stride 1: the input itself, no copy" : "im2col columns";
  std::string strategy, why;
  const winograd::Variant *variant = winogradFilters ? winogradVariantOf(conv, lanes) : nullptr;
  if (variant) {
    strategy = variant == &winograd::kF4x4 ? kWinogradF4.str() : kWinogradF2.str();
    why = "3x3 stride 1 with constant filters, at least " +
          std::to_string(minimumWinogradTiles(lanes)) + " output tiles of " +
          std::to_string(variant->outputTile) + "x" + std::to_string(variant->outputTile);
  } else if (direct && transposedDirectFirst(conv, lanes)) {
    strategy = kTransposedDirect.str();
    why = positions % lanes != 0
              ? std::to_string(positions) + " output positions, not a multiple of " +
                    std::to_string(lanes) + " lanes, in rows of " +
                    std::to_string(resultType.getDimSize(3))
              : std::to_string(rows) + " taps of " +
                    std::to_string(tensorType(conv.filter).getDimSize(1)) +
                    " channels: whole vectors of filters instead";
  } else if (direct && directFirst(conv, lanes)) {
    strategy = kDirect.str();
    ArrayRef<int64_t> filterShape = tensorType(conv.filter).getShape();
    why = filterShape[1] < lanes
              ? std::to_string(filterShape[1]) + " channels: im2col columns " +
                    std::to_string(filterShape[2] * filterShape[3]) +
                    " taps long, read in place instead"
              : "1x1 stride 1 on rows of " + std::to_string(resultType.getDimSize(3)) +
                    " positions, at least 8 vectors";
  } else {
    // Few output positions that vectors do not divide (7x7 = 49) would leave a narrow, mostly
    // scalar column block as large as the rest; the product is computed transposed instead,
    // with filters (whole panels of two vectors, dlc-cpu-pack-constant-operands) along the
    // vectors. With up to 8 vectors of positions (49 on AVX2: 6 vectors and one position) the
    // narrow block is small, but it reads all the filters again: transposed, the product of
    // 512 channels to 2048 on 7x7 took 0.77x the time on a Zen 3. There only where the
    // filters' panels (two vectors by C*K.. rows) fit a quarter of L2, so the reduction is not
    // cut into chunks, each of which would read and write the transposed accumulators again
    // (a 3x3 convolution of 512 filters on 7x7, 4608 rows: 1.06x the time). With more
    // positions the transposes cost more than the narrow block (1x1 convolutions of 256
    // channels to 1024 on 14x14 with their batch norm, 196 = 192 + 4 positions: 1.28x the
    // time transposed, dlc tune on a Zen 3).
    int64_t panelBytes = rows * 2 * lanes * resultType.getElementTypeBitWidth() / 8;
    bool transposed = positions % lanes != 0 && filters % (2 * lanes) == 0 &&
                      (positions < 4 * lanes ||
                       (positions < 8 * lanes && panelBytes <= l2Bytes / 4));
    strategy = transposed ? kTransposedProduct.str() : kProduct.str();
    why = columns;
    if (transposed) {
      why = std::to_string(positions) + " output positions, not a multiple of " +
            std::to_string(lanes) + " lanes";
      if (positions >= 4 * lanes)
        why += ", filter panels of " + std::to_string(panelBytes >> 10) +
               " KiB within a quarter of L2";
      why += "; " + columns;
    }
  }
  // A tuning file's choice for this shape, where it is one of the candidates.
  std::string key = tuningKey(conv);
  if (auto tuned = tuning ? tuning.getAs<StringAttr>(key) : StringAttr()) {
    if (llvm::is_contained(candidates, tuned.getValue().str())) {
      strategy = tuned.getValue().str();
      why = "tuning file: measured fastest of " + std::to_string(candidates.size()) +
            " candidates";
    } else {
      why += "; the tuning file's " + tuned.getValue().str() + " does not apply";
    }
  }
  if (strategy == kWinogradF4 || strategy == kWinogradF2) {
    const winograd::Variant &chosen = strategy == kWinogradF4 ? winograd::kF4x4 : winograd::kF2x2;
    recordStrategy(conv.op, std::string("Winograd ") + chosen.name, why, key, strategy,
                   candidates);
    result = lowerAsWinograd(b, loc, conv, winogradFilters, start, chosen);
  } else if (strategy == kDirect) {
    recordStrategy(conv.op, "direct (positions along the vectors, the input read in place)", why,
                   key, strategy, candidates);
    result = lowerAsDirect(b, loc, conv, start, lanes);
  } else if (strategy == kTransposedDirect) {
    recordStrategy(conv.op,
                   "transposed direct (filters along the vectors, the input read in place)", why,
                   key, strategy, candidates);
    result = lowerAsTransposedDirect(b, loc, conv, start);
  } else {
    bool transposed = strategy == kTransposedProduct;
    recordStrategy(conv.op,
                   transposed ? "transposed product (filters along the vectors)"
                              : "product (positions along the vectors)",
                   why, key, strategy, candidates);
    Value col = im2col(b, loc, conv);
    Value filter = collapseTrailing(b, loc, conv.filter, 1);
    Value product =
        transposed ? addStart(b, loc, lowerAsTransposedProduct(b, loc, conv, col, filter), start)
                   : lowerAsProduct(b, loc, conv, col, filter, start);
    ReassociationIndices positionsGroup;
    for (int64_t d = 2; d < resultType.getRank(); ++d)
      positionsGroup.push_back(d);
    result = tensor::ExpandShapeOp::create(
        b, loc, resultType, product, SmallVector<ReassociationIndices>{{0}, {1}, positionsGroup});
  }
  conv.op->getResult(0).replaceAllUsesWith(result);
  conv.op->erase();
}

struct LowerConvolutionsPass : impl::LowerConvolutionsPassBase<LowerConvolutionsPass> {
  using Base::Base;

  void runOnOperation() override {
    // The ops are collected first and described one at a time: a convolution may read the
    // result of one rewritten before it.
    SmallVector<Operation *> convolutions;
    SmallVector<Depthwise> depthwise;
    getOperation().walk([&](Operation *op) {
      if (matchConvolution(op) &&
          llvm::all_of(op->getOperandTypes(), llvm::IsaPred<RankedTensorType>))
        convolutions.push_back(op);
      else if (auto generic = dyn_cast<linalg::GenericOp>(op))
        if (std::optional<Depthwise> conv = matchDepthwise(generic))
          depthwise.push_back(*conv);
    });
    OpBuilder b(&getContext());
    auto tuning = getOperation()->getAttrOfType<DictionaryAttr>(targets::kTuningAttr);
    for (Operation *op : convolutions)
      lowerConvolution(b, *matchConvolution(op), lanes, l2Bytes, tuning);
    for (Depthwise &conv : depthwise)
      lowerDepthwise(b, conv);
  }
};

} // namespace
} // namespace dlc::cpu
