// Folders of the graph dialect's ops. Constants, reshapes and transposes fold at any size (weights
// are transposed once, at compile time); arithmetic and the other data-movement ops fold shape
// arithmetic and small tables (ONNX exporters build shapes from Shape, Slice, Concat, Cast and
// Gather nodes), and leave larger results to run time. Last, the canonicalization that folds a
// requantization into the product's scaling.
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APSInt.h"

#include <cstring>

using namespace mlir;
using namespace dlc::graph;

namespace {

/// The largest result, in elements, that a folder computes; larger ones are left to run time.
constexpr int64_t kMaxFoldedElements = 1 << 16;

/// A constant operand that folders may read: dense, and (unless a splat) small.
DenseElementsAttr foldable(Attribute attr) {
  auto elements = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!elements || (!elements.isSplat() && elements.getNumElements() > kMaxFoldedElements))
    return {};
  return elements;
}

/// Whether a result of `type` is small enough to fold.
bool smallEnough(Type type) {
  auto shaped = cast<ShapedType>(type);
  return shaped.hasStaticShape() && shaped.getNumElements() <= kMaxFoldedElements;
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Steps `index` to the next position of `shape` in row-major order (all zeros after the last).
void nextIndex(MutableArrayRef<int64_t> index, ArrayRef<int64_t> shape) {
  for (int64_t d = int64_t(index.size()) - 1; d >= 0 && ++index[d] == shape[d]; --d)
    index[d] = 0;
}

/// For each element of `resultShape` (row-major), the linear index of the element of an operand
/// of `operandShape` that numpy broadcasting reads.
SmallVector<int64_t> broadcastSources(ArrayRef<int64_t> operandShape,
                                      ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size(), offset = rank - int64_t(operandShape.size());
  SmallVector<int64_t> operandStrides = stridesOf(operandShape);
  SmallVector<int64_t> index(rank, 0), sources;
  int64_t count = ShapedType::getNumElements(resultShape);
  sources.reserve(count);
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t source = 0;
    for (int64_t d = offset; d < rank; ++d)
      if (operandShape[d - offset] != 1)
        source += index[d] * operandStrides[d - offset];
    sources.push_back(source);
    nextIndex(index, resultShape);
  }
  return sources;
}

/// How a binary op combines two integers (`isUnsigned` from the element type) or two floats;
/// std::nullopt where the result is not defined at compile time (division by zero, overflow).
using IntCombiner = std::optional<APInt> (*)(const APInt &, const APInt &, bool isUnsigned);
using FloatCombiner = APFloat (*)(const APFloat &, const APFloat &);

/// Folds a broadcasting binary op whose operands are both constants.
Attribute foldBinary(Attribute lhsAttr, Attribute rhsAttr, Type resultType, IntCombiner onInts,
                     FloatCombiner onFloats) {
  DenseElementsAttr lhs = foldable(lhsAttr), rhs = foldable(rhsAttr);
  if (!lhs || !rhs || !smallEnough(resultType))
    return {};
  auto type = cast<ShapedType>(resultType);
  Type element = type.getElementType();
  SmallVector<int64_t> lhsSources = broadcastSources(lhs.getType().getShape(), type.getShape());
  SmallVector<int64_t> rhsSources = broadcastSources(rhs.getType().getShape(), type.getShape());
  if (isa<FloatType>(element)) {
    auto lhsValues = lhs.getValues<APFloat>(), rhsValues = rhs.getValues<APFloat>();
    SmallVector<APFloat> values;
    for (auto [l, r] : llvm::zip_equal(lhsSources, rhsSources))
      values.push_back(onFloats(lhsValues[l], rhsValues[r]));
    return DenseElementsAttr::get(type, values);
  }
  if (!onInts || !isa<IntegerType>(element))
    return {};
  bool isUnsigned = element.isUnsignedInteger();
  auto lhsValues = lhs.getValues<APInt>(), rhsValues = rhs.getValues<APInt>();
  SmallVector<APInt> values;
  for (auto [l, r] : llvm::zip_equal(lhsSources, rhsSources)) {
    std::optional<APInt> value = onInts(lhsValues[l], rhsValues[r], isUnsigned);
    if (!value)
      return {};
    values.push_back(*value);
  }
  return DenseElementsAttr::get(type, values);
}

/// How two elements order: less, equal, greater, or unordered (a NaN).
enum class Ordering { Less, Equal, Greater, Unordered };

/// Folds a broadcasting comparison whose operands are both constants; `holds` says whether it is
/// true for an ordering (every comparison is false for unordered floats).
Attribute foldCompare(Attribute lhsAttr, Attribute rhsAttr, Type resultType,
                      bool (*holds)(Ordering)) {
  DenseElementsAttr lhs = foldable(lhsAttr), rhs = foldable(rhsAttr);
  if (!lhs || !rhs || !smallEnough(resultType))
    return {};
  auto type = cast<ShapedType>(resultType);
  Type element = lhs.getElementType();
  SmallVector<int64_t> lhsSources = broadcastSources(lhs.getType().getShape(), type.getShape());
  SmallVector<int64_t> rhsSources = broadcastSources(rhs.getType().getShape(), type.getShape());
  SmallVector<bool> values;
  if (isa<FloatType>(element)) {
    auto lhsValues = lhs.getValues<APFloat>(), rhsValues = rhs.getValues<APFloat>();
    for (auto [l, r] : llvm::zip_equal(lhsSources, rhsSources)) {
      APFloat::cmpResult order = lhsValues[l].compare(rhsValues[r]);
      values.push_back(holds(order == APFloat::cmpLessThan    ? Ordering::Less
                             : order == APFloat::cmpEqual      ? Ordering::Equal
                             : order == APFloat::cmpGreaterThan ? Ordering::Greater
                                                                : Ordering::Unordered));
    }
  } else if (isa<IntegerType>(element)) {
    bool isUnsigned = element.isUnsignedInteger() || element.isInteger(1);
    auto lhsValues = lhs.getValues<APInt>(), rhsValues = rhs.getValues<APInt>();
    for (auto [l, r] : llvm::zip_equal(lhsSources, rhsSources)) {
      const APInt &a = lhsValues[l], &b = rhsValues[r];
      bool less = isUnsigned ? a.ult(b) : a.slt(b);
      values.push_back(holds(a == b ? Ordering::Equal : less ? Ordering::Less : Ordering::Greater));
    }
  } else {
    return {};
  }
  return DenseElementsAttr::get(type, ArrayRef<bool>(values));
}

constexpr auto kRound = llvm::RoundingMode::NearestTiesToEven;

/// Converts one scalar between element types as graph.cast does: floats to integers truncate
/// toward zero, anything to bool compares with zero, integers extend by their signedness.
std::optional<Attribute> castScalar(Attribute value, Type from, Type to) {
  if (to.isInteger(1)) {
    bool nonZero = isa<FloatType>(from) ? !cast<FloatAttr>(value).getValue().isZero()
                                        : !cast<IntegerAttr>(value).getValue().isZero();
    return IntegerAttr::get(to, APInt(1, nonZero));
  }
  if (auto floatType = dyn_cast<FloatType>(to)) {
    APFloat result(floatType.getFloatSemantics());
    if (isa<FloatType>(from)) {
      result = cast<FloatAttr>(value).getValue();
      bool losesInfo;
      result.convert(floatType.getFloatSemantics(), kRound, &losesInfo);
    } else {
      bool isSigned = !from.isUnsignedInteger() && !from.isInteger(1);
      result.convertFromAPInt(cast<IntegerAttr>(value).getValue(), isSigned, kRound);
    }
    return FloatAttr::get(to, result);
  }
  unsigned width = to.getIntOrFloatBitWidth();
  bool toUnsigned = to.isUnsignedInteger();
  if (isa<FloatType>(from)) {
    llvm::APSInt result(width, toUnsigned);
    bool exact;
    APFloat::opStatus status = cast<FloatAttr>(value).getValue().convertToInteger(
        result, llvm::RoundingMode::TowardZero, &exact);
    if (status & APFloat::opInvalidOp)
      return std::nullopt; // NaN or out of range: what the target computes is not defined here
    return IntegerAttr::get(to, result);
  }
  APInt source = cast<IntegerAttr>(value).getValue();
  bool fromSigned = !from.isUnsignedInteger() && !from.isInteger(1);
  return IntegerAttr::get(to, fromSigned ? source.sextOrTrunc(width) : source.zextOrTrunc(width));
}

/// The elements of `attr` as attributes (splats expanded), for data-movement folders.
SmallVector<Attribute> elementsOf(DenseElementsAttr attr) {
  return SmallVector<Attribute>(attr.getValues<Attribute>());
}

} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto elements = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return elements.reshape(getType());
  return {};
}

/// Transposes a constant at compile time (e.g. Gemm's transB weights), so no run pays for it.
OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  auto elements = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!elements)
    return {};
  auto resultType = cast<ShapedType>(getType());
  if (elements.isSplat())
    return elements.reshape(resultType);
  ArrayRef<int64_t> inShape = elements.getType().getShape();
  ArrayRef<int64_t> perm = getPerm();
  int64_t rank = inShape.size();
  // Row-major strides of the input, read in result-dimension order.
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  size_t width = llvm::divideCeil(elements.getElementType().getIntOrFloatBitWidth(), 8);
  if (elements.getElementType().isInteger(1))
    return {}; // bit-packed bools: rare in weights, left to the runtime transpose
  ArrayRef<char> raw = elements.getRawData();
  std::vector<char> out(raw.size());
  SmallVector<int64_t> index(rank, 0);
  int64_t count = resultType.getNumElements();
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += index[d] * inStrides[perm[d]];
    std::memcpy(out.data() + linear * width, raw.data() + source * width, width);
    nextIndex(index, resultType.getShape());
  }
  return DenseElementsAttr::getFromRawBuffer(resultType, ArrayRef<char>(out));
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &l, const APInt &r, bool) -> std::optional<APInt> { return l + r; },
      [](const APFloat &l, const APFloat &r) { return l + r; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &l, const APInt &r, bool) -> std::optional<APInt> { return l - r; },
      [](const APFloat &l, const APFloat &r) { return l - r; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &l, const APInt &r, bool) -> std::optional<APInt> { return l * r; },
      [](const APFloat &l, const APFloat &r) { return l * r; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &l, const APInt &r, bool isUnsigned) -> std::optional<APInt> {
        if (r.isZero() || (!isUnsigned && l.isMinSignedValue() && r.isAllOnes()))
          return std::nullopt;
        return isUnsigned ? l.udiv(r) : l.sdiv(r);
      },
      [](const APFloat &l, const APFloat &r) { return l / r; });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &l, const APInt &r, bool isUnsigned) -> std::optional<APInt> {
        return isUnsigned ? llvm::APIntOps::umax(l, r) : llvm::APIntOps::smax(l, r);
      },
      [](const APFloat &l, const APFloat &r) { return llvm::maximum(l, r); });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &l, const APInt &r, bool isUnsigned) -> std::optional<APInt> {
        return isUnsigned ? llvm::APIntOps::umin(l, r) : llvm::APIntOps::smin(l, r);
      },
      [](const APFloat &l, const APFloat &r) { return llvm::minimum(l, r); });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Equal; });
}

OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Less; });
}

OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Less || o == Ordering::Equal; });
}

OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Greater; });
}

OpFoldResult GreaterEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Greater || o == Ordering::Equal; });
}

namespace {

/// An elementwise op of one operand applied to a small constant: `onInt` on integers (null to
/// leave them to run time), `onFloat` on floating-point values.
template <typename IntFn, typename FloatFn>
OpFoldResult foldUnary(Attribute operand, Type type, IntFn onInt, FloatFn onFloat) {
  DenseElementsAttr input = foldable(operand);
  if (!input || !smallEnough(type))
    return {};
  Type element = input.getElementType();
  if (isa<FloatType>(element))
    return input.mapValues(element,
                           [&](const APFloat &x) { return onFloat(x).bitcastToAPInt(); });
  if constexpr (std::is_same_v<IntFn, std::nullptr_t>)
    return {};
  else
    return input.mapValues(
        element, [&](const APInt &x) { return onInt(x, element.isUnsignedInteger()); });
}

/// `x` rounded to an integral value in `mode`.
APFloat rounded(APFloat x, llvm::RoundingMode mode) {
  x.roundToIntegral(mode);
  return x;
}

} // namespace

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(), [](const APInt &x, bool) { return -x; },
      [](const APFloat &x) { return -x; });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &x, bool isUnsigned) {
        return !isUnsigned && x.isNegative() ? APInt::getZero(x.getBitWidth()) : x;
      },
      [](const APFloat &x) {
        return x.isNegative() && !x.isNaN() ? APFloat::getZero(x.getSemantics()) : x;
      });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &x, bool isUnsigned) { return isUnsigned ? x : x.abs(); },
      [](const APFloat &x) { return abs(x); });
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), getType(), nullptr, [](const APFloat &x) {
    return rounded(x, llvm::RoundingMode::TowardNegative);
  });
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), getType(), nullptr, [](const APFloat &x) {
    return rounded(x, llvm::RoundingMode::TowardPositive);
  });
}

OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), getType(), nullptr, [](const APFloat &x) {
    return rounded(x, llvm::RoundingMode::NearestTiesToEven);
  });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = foldable(adaptor.getInput());
  if (!input)
    return {};
  Type from = input.getElementType(), to = getElementTypeOrSelf(getType());
  auto type = cast<ShapedType>(getType());
  if (input.isSplat()) {
    std::optional<Attribute> value = castScalar(input.getSplatValue<Attribute>(), from, to);
    return value ? DenseElementsAttr::get(type, *value) : Attribute();
  }
  SmallVector<Attribute> values;
  for (Attribute element : input.getValues<Attribute>()) {
    std::optional<Attribute> value = castScalar(element, from, to);
    if (!value)
      return {};
    values.push_back(*value);
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  DenseElementsAttr input = foldable(adaptor.getInput());
  if (!input)
    return {};
  auto type = cast<ShapedType>(getType());
  if (input.isSplat())
    return input.resizeSplat(type);
  if (!smallEnough(type))
    return {};
  SmallVector<Attribute> elements = elementsOf(input), values;
  for (int64_t source : broadcastSources(input.getType().getShape(), type.getShape()))
    values.push_back(elements[source]);
  return DenseElementsAttr::get(type, values);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = foldable(adaptor.getInput());
  auto type = cast<ShapedType>(getType());
  if (!input)
    return {};
  if (input.isSplat())
    return input.resizeSplat(type);
  SmallVector<Attribute> elements = elementsOf(input), values;
  SmallVector<int64_t> strides = stridesOf(input.getType().getShape());
  int64_t rank = type.getRank();
  SmallVector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += (getStarts()[d] + index[d] * getSteps()[d]) * strides[d];
    values.push_back(elements[source]);
    nextIndex(index, type.getShape());
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  auto type = cast<ShapedType>(getType());
  if (!smallEnough(type))
    return {};
  SmallVector<DenseElementsAttr> inputs;
  for (Attribute attr : adaptor.getInputs()) {
    DenseElementsAttr input = foldable(attr);
    if (!input)
      return {};
    inputs.push_back(input);
  }
  // Row-major: for each index before the axis, each input contributes a contiguous run.
  int64_t axis = getAxis();
  int64_t outer = ShapedType::getNumElements(type.getShape().take_front(axis));
  SmallVector<SmallVector<Attribute>> elements;
  for (DenseElementsAttr input : inputs)
    elements.push_back(elementsOf(input));
  SmallVector<Attribute> values;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [input, inputElements] : llvm::zip_equal(inputs, elements)) {
      int64_t run = ShapedType::getNumElements(input.getType().getShape().drop_front(axis));
      values.append(inputElements.begin() + o * run, inputElements.begin() + (o + 1) * run);
    }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr data = foldable(adaptor.getData()), indices = foldable(adaptor.getIndices());
  auto type = cast<ShapedType>(getType());
  if (!data || !indices || !smallEnough(type))
    return {};
  ArrayRef<int64_t> dataShape = data.getType().getShape();
  int64_t axis = getAxis(), axisSize = dataShape[axis];
  if (axisSize == 0)
    return {};
  int64_t outer = ShapedType::getNumElements(dataShape.take_front(axis));
  int64_t inner = ShapedType::getNumElements(dataShape.drop_front(axis + 1));
  SmallVector<Attribute> elements = elementsOf(data), values;
  SmallVector<int64_t> positions;
  for (const APInt &index : indices.getValues<APInt>()) {
    // As the lowering does: negative indices count from the end, then clamp into range.
    int64_t position = index.getSExtValue();
    position = std::clamp<int64_t>(position < 0 ? position + axisSize : position, 0,
                                   axisSize - 1);
    positions.push_back(position);
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t position : positions)
      for (int64_t i = 0; i < inner; ++i)
        values.push_back(elements[(o * axisSize + position) * inner + i]);
  return DenseElementsAttr::get(type, values);
}

/// Quantizing what a dequantize of the same parameters produced gives its integers back.
OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  auto producer = getInput().getDefiningOp<DequantizeOp>();
  if (producer && producer.getQuantization() == getQuantization() &&
      producer.getInput().getType() == getType())
    return producer.getInput();
  return {};
}

/// Dequantized constants (a QDQ model's weights where they stay float) fold to floats, computed
/// as the lowering does: (q - zero point) * scale in the expressed type, rounded to nearest.
OpFoldResult DequantizeOp::fold(FoldAdaptor adaptor) {
  auto elements = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  std::optional<Quantization> q = Quantization::of(getQuantization());
  auto resultType = cast<ShapedType>(getType());
  if (!elements || !q || !resultType.hasStaticShape())
    return {};
  const llvm::fltSemantics &semantics = cast<FloatType>(q->expressed).getFloatSemantics();
  bool isUnsigned = elements.getElementType().isUnsignedInteger();
  auto toFloat = [&](int64_t value) {
    APFloat f(semantics);
    f.convertFromAPInt(APInt(64, value, /*isSigned=*/true), /*IsSigned=*/true,
                       APFloat::rmNearestTiesToEven);
    return f;
  };
  auto toExpressed = [&](double value) {
    APFloat f(value);
    bool lost;
    f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
    return f;
  };
  ArrayRef<int64_t> shape = resultType.getShape();
  int64_t inner = 1, axisSize = 1;
  if (q->axis) {
    axisSize = shape[*q->axis];
    for (int64_t d = *q->axis + 1; d < int64_t(shape.size()); ++d)
      inner *= shape[d];
  }
  SmallVector<APFloat> values;
  values.reserve(resultType.getNumElements());
  int64_t index = 0;
  for (const APInt &stored : elements.getValues<APInt>()) {
    int64_t slice = q->axis ? index / inner % axisSize : 0;
    int64_t integer = isUnsigned ? int64_t(stored.getZExtValue()) : stored.getSExtValue();
    APFloat value = toFloat(integer);
    value.subtract(toFloat(q->zeroPoints[slice]), APFloat::rmNearestTiesToEven);
    value.multiply(toExpressed(q->scales[slice]), APFloat::rmNearestTiesToEven);
    values.push_back(value);
    ++index;
  }
  return DenseElementsAttr::get(resultType, values);
}

namespace {

/// A term of a requantized sum, `variable + constant` (the constant possibly null): a
/// per-tensor dequantize (q - zq) * sq divided by s is cast(q) * (sq / s) + (-zq) (sq / s), so
/// its zero point joins the sum's constant shift instead of costing a subtraction per element.
struct Term {
  Value variable, constant;
};

/// The per-tensor dequantize `dequantize` divided by `scale` (a rank-0 constant) as a Term.
Term scaledDequantize(OpBuilder &b, Location loc, DequantizeOp dequantize, const Quantization &q,
                      Value scale) {
  Type element = q.expressed;
  auto type = cast<RankedTensorType>(dequantize.getType());
  Value integers = CastOp::create(b, loc, type, dequantize.getInput());
  Value factor =
      createBroadcast<DivOp>(b, loc, createScalar(b, loc, element, q.scales[0]), scale);
  Value variable = createBroadcast<MulOp>(b, loc, integers, factor);
  if (q.zeroPointsAreZero())
    return {variable, Value()};
  Value zeroPoint = createScalar(b, loc, element, -double(q.zeroPoints[0]));
  return {variable, createBroadcast<MulOp>(b, loc, zeroPoint, factor)};
}

/// `mul` (y * c, c a constant) divided by `scale` as a Term: y * (c / scale).
Term scaledProduct(OpBuilder &b, Location loc, MulOp mul, Value scale) {
  Value factor = createBroadcast<DivOp>(b, loc, mul.getRhs(), scale);
  return {createBroadcast<MulOp>(b, loc, mul.getLhs(), factor), Value()};
}

/// `offset / scale` (a rank-0 constant) as a Term, with the division folded into a constant
/// factor where `offset` is one: a per-tensor dequantize, a residual branch, as above (as
/// onnxruntime's QLinearAdd scales each operand by its scale over the result's), and y * c
/// becomes y * (c / scale); anything else is divided.
Term scaledDown(OpBuilder &b, Location loc, Value offset, Value scale) {
  Type element = getElementTypeOrSelf(offset);
  if (auto dequantize = offset.getDefiningOp<DequantizeOp>()) {
    std::optional<Quantization> q = Quantization::of(dequantize.getQuantization());
    if (q && !q->axis && q->expressed == element)
      return scaledDequantize(b, loc, dequantize, *q, scale);
  }
  if (auto mul = offset.getDefiningOp<MulOp>();
      mul && matchPattern(mul.getRhs(), m_Constant()) &&
      mul.getLhs().getType() == offset.getType())
    return scaledProduct(b, loc, mul, scale);
  return {createBroadcast<DivOp>(b, loc, offset, scale), Value()};
}

/// quantize(y * a + b) by (s, z) -> quantize(y * (a / s) + (b / s + z)) by (1, 0), with `a` and
/// `s` constants, per tensor; `y * a` may be a per-tensor dequantize, (q - zq) * sq, which
/// becomes q * (sq / s) with -zq sq / s added to the shift (and so may `b`, see scaledDown).
/// The quotients and the constant shift fold at compile time, so the requantization
/// multiplies once and adds once per term.
struct FoldRequantization : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp op, PatternRewriter &rewriter) const override {
    std::optional<Quantization> q = Quantization::of(op.getQuantization());
    if (!q || q->axis || (q->scalesAreOne() && q->zeroPointsAreZero()))
      return failure();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    Type element = type.getElementType();
    Location loc = op.getLoc();
    Value product = x, offset;
    if (auto add = x.getDefiningOp<AddOp>()) {
      product = add.getLhs();
      offset = add.getRhs();
    }
    if (offset && cast<RankedTensorType>(offset.getType()).getRank() > type.getRank())
      return failure();
    // Matched first, built after: a pattern that fails leaves the IR as it was.
    auto dequantize = product.getDefiningOp<DequantizeOp>();
    auto mul = product.getDefiningOp<MulOp>();
    std::optional<Quantization> dq =
        dequantize ? Quantization::of(dequantize.getQuantization()) : std::nullopt;
    if (dequantize ? !dq || dq->axis || product.getType() != x.getType()
                   : !mul || !matchPattern(mul.getRhs(), m_Constant()))
      return failure();
    auto shapeOf = [](Value value) { return cast<RankedTensorType>(value.getType()).getShape(); };
    SmallVector<int64_t> shape(dequantize ? type.getShape() : shapeOf(mul.getLhs()));
    if (mul && !OpTrait::util::getBroadcastedShape(SmallVector<int64_t>(shape),
                                                   shapeOf(mul.getRhs()), shape))
      return failure();
    if (offset && !OpTrait::util::getBroadcastedShape(SmallVector<int64_t>(shape),
                                                      shapeOf(offset), shape))
      return failure();
    if (ArrayRef<int64_t>(shape) != type.getShape())
      return failure();
    Value scale = createScalar(rewriter, loc, element, q->scales[0]);
    Term first = dequantize ? scaledDequantize(rewriter, loc, dequantize, *dq, scale)
                            : scaledProduct(rewriter, loc, mul, scale);
    Term second = offset ? scaledDown(rewriter, loc, offset, scale) : Term();
    // The constant shift: the terms' constants and the zero point, summed at compile time.
    Value constant;
    auto addConstant = [&](Value value) {
      if (value)
        constant = constant ? createBroadcast<AddOp>(rewriter, loc, constant, value) : value;
    };
    addConstant(first.constant);
    addConstant(second.constant);
    if (!q->zeroPointsAreZero())
      addConstant(createScalar(rewriter, loc, element, double(q->zeroPoints[0])));
    Value shift = second.variable;
    if (constant)
      shift = shift ? createBroadcast<AddOp>(rewriter, loc, shift, constant) : constant;
    Value result = first.variable;
    if (shift)
      result = createBroadcast<AddOp>(rewriter, loc, result, shift);
    quant::QuantizedType units =
        quantizationType(getElementTypeOrSelf(op.getType()), element, {1.0}, {0});
    rewriter.replaceOpWithNewOp<QuantizeOp>(op, op.getType(), result, units);
    return success();
  }
};

} // namespace

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<FoldRequantization>(context);
}
