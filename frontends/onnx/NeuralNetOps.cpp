// Importers of ONNX neural-network ops: Conv, pooling, BatchNormalization, Gemm, MatMul, Softmax
// and LayerNormalization; composite ops become their canonical expansion in graph ops.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// Resolves `pads` (k begin, then k end values) from `auto_pad` or the `pads` attribute.
FailureOr<SmallVector<int64_t>> windowPads(NodeContext &ctx, ArrayRef<int64_t> spatialIn,
                                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                           ArrayRef<int64_t> dilations) {
  int64_t k = spatialIn.size();
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  SmallVector<int64_t> pads(2 * k, 0);
  if (autoPad == "NOTSET") {
    std::vector<int64_t> given = ctx.intsAttr("pads");
    if (given.empty())
      return pads;
    if (int64_t(given.size()) != 2 * k)
      return ctx.fail("pads has " + Twine(given.size()) + " values, expected " + Twine(2 * k));
    return SmallVector<int64_t>(given.begin(), given.end());
  }
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.fail("auto_pad=\"" + autoPad + "\" is not a valid value");
  for (int64_t i = 0; i < k; ++i) {
    int64_t out = (spatialIn[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatialIn[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[k + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// `name` as a list of k values, or k copies of `fallback` when absent.
FailureOr<SmallVector<int64_t>> spatialAttr(NodeContext &ctx, StringRef name, int64_t k,
                                            int64_t fallback) {
  std::vector<int64_t> values = ctx.intsAttr(name);
  if (values.empty())
    return SmallVector<int64_t>(k, fallback);
  if (int64_t(values.size()) != k)
    return ctx.fail(name + " has " + Twine(values.size()) + " values, expected " + Twine(k));
  return SmallVector<int64_t>(values.begin(), values.end());
}

LogicalResult importConv(NodeContext &ctx) {
  // A QDQ model's Conv, or one quantized from a calibration: an integer convolution.
  FailureOr<Value> result = quantizedConvolution(ctx);
  if (succeeded(result) && !*result)
    result = calibratedConvolution(ctx);
  if (succeeded(result) && !*result)
    result = convolution(ctx, ctx.input(0), ctx.input(1), ctx.input(2));
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

/// ConvTranspose's filter [C, M/group, K...] as the filter of the equivalent convolution,
/// [M, C/group, K...] with every window reversed; it folds at compile time when constant.
Value transposedFilter(NodeContext &ctx, Value filter, int64_t group) {
  ArrayRef<int64_t> shape = shapeOf(filter);
  int64_t rank = shape.size(), channels = shape[0], perGroup = shape[1];
  Type element = getElementTypeOrSelf(filter);
  SmallVector<int64_t> grouped{group, channels / group, perGroup};
  grouped.append(shape.begin() + 2, shape.end());
  SmallVector<int64_t> perm{0, 2, 1}, swapped{group, perGroup, channels / group};
  for (int64_t d = 3; d <= rank; ++d) {
    perm.push_back(d);
    swapped.push_back(grouped[d]);
  }
  Value swappedFilter = ctx.create<graph::TransposeOp>(RankedTensorType::get(swapped, element),
                                                       ctx.reshape(filter, grouped), perm);
  SmallVector<int64_t> convShape{group * perGroup, channels / group};
  convShape.append(shape.begin() + 2, shape.end());
  Value conv = ctx.reshape(swappedFilter, convShape);
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1);
  for (int64_t d = 2; d < rank; ++d) {
    starts[d] = convShape[d] - 1;
    steps[d] = -1;
  }
  return ctx.create<graph::SliceOp>(conv.getType(), conv, starts, steps);
}

/// A 2-D ConvTranspose whose kernel equals its strides, without pads or dilations: each input
/// pixel paints its own s_h x s_w tile of the output, so it is a 1x1 convolution with M s_h s_w
/// filters (W [C, M, s_h, s_w] reordered to [M s_h s_w, C, 1, 1]) whose channels are then moved
/// into the tiles (a depth-to-space), plus the bias. The general form below would convolve an
/// input spread with zeros: s_h s_w times the products, and an im2col of the spread input.
LogicalResult importTilingConvTranspose(NodeContext &ctx, RankedTensorType type) {
  Value input = ctx.input(0), filter = ctx.input(1);
  ArrayRef<int64_t> inShape = shapeOf(input), filterShape = shapeOf(filter);
  int64_t n = inShape[0], channels = inShape[1], h = inShape[2], w = inShape[3];
  int64_t m = filterShape[1], sh = filterShape[2], sw = filterShape[3];
  Type element = getElementTypeOrSelf(input);
  Value filters = ctx.reshape(
      ctx.create<graph::TransposeOp>(RankedTensorType::get({m, sh, sw, channels}, element),
                                     filter, SmallVector<int64_t>{1, 2, 3, 0}),
      {m * sh * sw, channels, 1, 1});
  Value painted = ctx.create<graph::ConvOp>(
      RankedTensorType::get({n, m * sh * sw, h, w}, element), input, filters, Value(),
      SmallVector<int64_t>{1, 1}, SmallVector<int64_t>{1, 1}, SmallVector<int64_t>(4, 0),
      int64_t(1));
  Value tiles = ctx.create<graph::TransposeOp>(
      RankedTensorType::get({n, m, h, sh, w, sw}, element),
      ctx.reshape(painted, {n, m, sh, sw, h, w}), SmallVector<int64_t>{0, 1, 4, 2, 5, 3});
  Value result = ctx.reshape(tiles, type.getShape());
  if (ctx.hasInput(2)) {
    Expansion e(ctx);
    result = e.apply<graph::AddOp>(result, ctx.reshape(ctx.input(2), {m, 1, 1}));
  }
  ctx.setOutput(0, result);
  return success();
}

/// ConvTranspose as a convolution: the input, with strides - 1 zeros between its elements, is
/// padded by dilation * (K - 1) - pad on each side (plus output_padding at the end) and
/// convolved at stride 1 with the transposed, reversed filter. Where that padding is negative
/// the input is cropped instead.
LogicalResult importConvTranspose(NodeContext &ctx) {
  Value input = ctx.input(0), filter = ctx.input(1), bias = ctx.input(2);
  ArrayRef<int64_t> inShape = shapeOf(input), filterShape = shapeOf(filter);
  int64_t k = int64_t(inShape.size()) - 2;
  if (k < 1 || filterShape.size() != inShape.size())
    return ctx.fail("expects input and filter of the same rank >= 3");
  int64_t group = ctx.intAttr("group", 1);
  if (group < 1 || inShape[1] != filterShape[0] || filterShape[0] % group)
    return ctx.fail("group=" + Twine(group) + " does not fit " + Twine(inShape[1]) +
                    " input channels and a filter for " + Twine(filterShape[0]));
  auto strides = spatialAttr(ctx, "strides", k, 1);
  auto dilations = spatialAttr(ctx, "dilations", k, 1);
  auto outputPadding = spatialAttr(ctx, "output_padding", k, 0);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(strides) || failed(dilations) || failed(outputPadding) || failed(type))
    return failure();
  ArrayRef<int64_t> kernel = filterShape.drop_front(2);
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  std::vector<int64_t> outputShape = ctx.intsAttr("output_shape");
  SmallVector<int64_t> pads(2 * k, 0);
  if (!outputShape.empty() || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // The pads that give the wanted output size; a larger output than the full one (negative
    // padding) gets its extra zeros at the end.
    bool upper = autoPad == "SAME_UPPER";
    for (int64_t i = 0; i < k; ++i) {
      int64_t full = (*strides)[i] * (inShape[2 + i] - 1) + (*outputPadding)[i] +
                     (kernel[i] - 1) * (*dilations)[i] + 1;
      int64_t wanted = outputShape.empty() ? inShape[2 + i] * (*strides)[i]
                                           : outputShape[outputShape.size() - k + i];
      int64_t total = full - wanted, half = llvm::divideFloorSigned(total, 2);
      pads[i] = upper ? half : total - half;
      pads[k + i] = upper ? total - half : half;
    }
  } else if (ctx.hasAttr("pads")) {
    std::vector<int64_t> given = ctx.intsAttr("pads");
    if (int64_t(given.size()) != 2 * k)
      return ctx.fail("pads has " + Twine(given.size()) + " values, expected " + Twine(2 * k));
    pads.assign(given.begin(), given.end());
  }

  if (group == 1 && k == 2 && ArrayRef<int64_t>(*strides) == kernel &&
      llvm::all_of(pads, [](int64_t pad) { return pad == 0; }) &&
      llvm::all_of(*dilations, [](int64_t d) { return d == 1; }) &&
      llvm::all_of(*outputPadding, [](int64_t p) { return p == 0; }) &&
      type->getShape() == ArrayRef<int64_t>{inShape[0], filterShape[1] * group,
                                            inShape[2] * kernel[0], inShape[3] * kernel[1]})
    return importTilingConvTranspose(ctx, *type);

  // Zeros between the input's elements, then crop where the convolution's padding is negative.
  Type element = getElementTypeOrSelf(input);
  SmallVector<int64_t> interior(k + 2, 0), zeros(k + 2, 0), spread(inShape);
  for (int64_t i = 0; i < k; ++i) {
    interior[2 + i] = (*strides)[i] - 1;
    spread[2 + i] += interior[2 + i] * (inShape[2 + i] - 1);
  }
  Value x = input;
  if (ArrayRef<int64_t>(spread) != inShape)
    x = ctx.create<graph::PadOp>(RankedTensorType::get(spread, element), input, zeros, zeros,
                                 interior, "constant", Builder(ctx.context()).getZeroAttr(element));
  SmallVector<int64_t> convPads(2 * k), starts(k + 2, 0), steps(k + 2, 1), cropped(spread);
  for (int64_t i = 0; i < k; ++i) {
    int64_t edge = (*dilations)[i] * (kernel[i] - 1);
    int64_t low = edge - pads[i], high = edge - pads[k + i] + (*outputPadding)[i];
    starts[2 + i] = std::max<int64_t>(0, -low);
    cropped[2 + i] += std::min<int64_t>(0, low) + std::min<int64_t>(0, high);
    convPads[i] = std::max<int64_t>(0, low);
    convPads[k + i] = std::max<int64_t>(0, high);
  }
  if (ArrayRef<int64_t>(cropped) != ArrayRef<int64_t>(spread))
    x = ctx.create<graph::SliceOp>(RankedTensorType::get(cropped, element), x, starts, steps);
  for (int64_t i = 0; i < k; ++i) {
    int64_t size = cropped[2 + i] + convPads[i] + convPads[k + i] -
                   (*dilations)[i] * (kernel[i] - 1);
    if (size != type->getDimSize(2 + i))
      return ctx.fail("spatial dimension " + Twine(i) + " of the result would be " + Twine(size) +
                      ", but shape inference gives " + Twine(type->getDimSize(2 + i)));
  }
  Value convFilter = transposedFilter(ctx, filter, group);
  SmallVector<int64_t> ones(k, 1);
  ctx.setOutput(0, ctx.create<graph::ConvOp>(*type, x, convFilter, bias, ones, *dilations,
                                             convPads, group));
  return success();
}

template <typename PoolOp> LogicalResult importPool(NodeContext &ctx) {
  if (ctx.numOutputs() > 1)
    return ctx.fail("the Indices output is not supported");
  Value input = ctx.input(0);
  ArrayRef<int64_t> inShape = shapeOf(input);
  int64_t k = int64_t(inShape.size()) - 2;
  if (k < 1)
    return ctx.fail("expects an input of rank >= 3");
  std::vector<int64_t> kernel = ctx.intsAttr("kernel_shape");
  if (int64_t(kernel.size()) != k)
    return ctx.fail("kernel_shape must have " + Twine(k) + " values");
  auto strides = spatialAttr(ctx, "strides", k, 1);
  auto dilations = spatialAttr(ctx, "dilations", k, 1);
  if (failed(strides) || failed(dilations))
    return failure();
  auto pads = windowPads(ctx, inShape.drop_front(2), kernel, *strides, *dilations);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(pads) || failed(type))
    return failure();
  if constexpr (std::is_same_v<PoolOp, graph::AvgPoolOp>) {
    bool countPads = ctx.intAttr("count_include_pad", 0) != 0;
    ctx.setOutput(0, ctx.create<graph::AvgPoolOp>(*type, input, kernel, *strides, *dilations,
                                                  *pads, countPads));
  } else if (std::optional<Value> pooled =
                 quantizedMaxPool(ctx, *type, kernel, *strides, *dilations, *pads)) {
    ctx.setOutput(0, *pooled);
  } else {
    ctx.setOutput(0, ctx.create<graph::MaxPoolOp>(*type, input, kernel, *strides, *dilations,
                                                  *pads));
  }
  return success();
}

template <typename ReduceOp> LogicalResult importGlobalPool(NodeContext &ctx) {
  Value input = ctx.input(0);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < int64_t(shapeOf(input).size()); ++d)
    axes.push_back(d);
  ctx.setOutput(0, ctx.create<ReduceOp>(*type, input, axes, /*keepdims=*/true));
  return success();
}

/// [C] -> [C, 1, ..., 1] so that a per-channel vector broadcasts over [N, C, D...].
Value perChannel(NodeContext &ctx, Value vector, int64_t rank) {
  SmallVector<int64_t> shape{shapeOf(vector)[0]};
  shape.append(std::max<int64_t>(0, rank - 2), 1);
  return ctx.reshape(vector, shape);
}

/// y = x * a + b with a = scale / sqrt(var + eps), b = bias - mean * a; computed at import time
/// when the four parameters are constants, else as graph ops.
LogicalResult importBatchNorm(NodeContext &ctx) {
  if (ctx.intAttr("training_mode", 0) || ctx.numOutputs() > 1)
    return ctx.fail("training mode (running statistics outputs) is not supported");
  Value x = ctx.input(0);
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  if (rank < 2)
    return ctx.fail("expects an input of rank >= 2");
  float epsilon = ctx.floatAttr("epsilon", 1e-5f);
  auto scale = ctx.constantInput(1), bias = ctx.constantInput(2), mean = ctx.constantInput(3),
       var = ctx.constantInput(4);
  Value a, b;
  if (scale && bias && mean && var && isa<FloatType>(element)) {
    SmallVector<APFloat> aValues, bValues;
    auto s = scale->getValues<APFloat>(), bi = bias->getValues<APFloat>(),
         m = mean->getValues<APFloat>(), v = var->getValues<APFloat>();
    const llvm::fltSemantics &semantics = cast<FloatType>(element).getFloatSemantics();
    for (int64_t c = 0; c < scale->getNumElements(); ++c) {
      double factor = s[c].convertToDouble() / std::sqrt(v[c].convertToDouble() + epsilon);
      double shift = bi[c].convertToDouble() - m[c].convertToDouble() * factor;
      for (auto [value, list] : {std::pair{factor, &aValues}, std::pair{shift, &bValues}}) {
        APFloat converted(value);
        bool lossy;
        converted.convert(semantics, APFloat::rmNearestTiesToEven, &lossy);
        list->push_back(converted);
      }
    }
    auto vectorType = RankedTensorType::get({scale->getNumElements()}, element);
    a = perChannel(ctx, ctx.constant(DenseElementsAttr::get(vectorType, aValues)), rank);
    b = perChannel(ctx, ctx.constant(DenseElementsAttr::get(vectorType, bValues)), rank);
  } else {
    Value shape = ctx.input(1);
    auto vectorType = cast<RankedTensorType>(shape.getType());
    Value eps = ctx.scalar(element, epsilon);
    Value stddev = ctx.create<graph::SqrtOp>(
        vectorType, ctx.create<graph::AddOp>(vectorType, ctx.input(4), eps));
    Value factor = ctx.create<graph::DivOp>(vectorType, ctx.input(1), stddev);
    Value shift = ctx.create<graph::SubOp>(
        vectorType, ctx.input(2), ctx.create<graph::MulOp>(vectorType, ctx.input(3), factor));
    a = perChannel(ctx, factor, rank);
    b = perChannel(ctx, shift, rank);
  }
  Value scaled = ctx.create<graph::MulOp>(type, x, a);
  ctx.setOutput(0, ctx.create<graph::AddOp>(type, scaled, b));
  return success();
}

/// The transpose of a matrix value.
Value transpose2d(NodeContext &ctx, Value matrix) {
  ArrayRef<int64_t> shape = shapeOf(matrix);
  auto type = RankedTensorType::get({shape[1], shape[0]}, getElementTypeOrSelf(matrix));
  return ctx.create<graph::TransposeOp>(type, matrix, ArrayRef<int64_t>{1, 0});
}

LogicalResult importGemm(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1), c = ctx.input(2);
  if (shapeOf(a).size() != 2 || shapeOf(b).size() != 2)
    return ctx.fail("expects matrices A and B");
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  // A QDQ model's Gemm, or one quantized from a calibration: an integer product.
  bool transA = ctx.intAttr("transA", 0) != 0, transB = ctx.intAttr("transB", 0) != 0;
  std::optional<Value> quantized;
  if (!transA)
    quantized = quantizedProduct(ctx, transB);
  if (!quantized && !transA)
    quantized = calibratedProduct(ctx, transB);
  if (!quantized) {
    if (transA)
      a = transpose2d(ctx, a);
    if (transB)
      b = transpose2d(ctx, b);
    if (shapeOf(a)[1] != shapeOf(b)[0])
      return ctx.fail("inner dimensions of A and B differ");
  }
  Type element = type->getElementType();
  Value result = quantized ? *quantized : ctx.create<graph::MatMulOp>(*type, a, b).getResult();
  float alpha = ctx.floatAttr("alpha", 1.0f), beta = ctx.floatAttr("beta", 1.0f);
  if (alpha != 1.0f)
    result = ctx.create<graph::MulOp>(*type, result, ctx.scalar(element, alpha));
  if (c && beta != 0.0f) {
    if (beta != 1.0f)
      c = ctx.create<graph::MulOp>(c.getType(), c, ctx.scalar(element, beta));
    result = ctx.create<graph::AddOp>(*type, result, c);
  }
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importMatMul(NodeContext &ctx) {
  std::optional<Value> quantized = quantizedProduct(ctx, /*transposeRhs=*/false);
  if (!quantized)
    quantized = calibratedProduct(ctx, /*transposeRhs=*/false);
  if (quantized) {
    ctx.setOutput(0, *quantized);
    return success();
  }
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  // numpy matmul: a vector operand becomes a matrix, and its dimension is dropped afterwards.
  bool lhsVector = shapeOf(lhs).size() == 1, rhsVector = shapeOf(rhs).size() == 1;
  if (lhsVector)
    lhs = ctx.reshape(lhs, {1, shapeOf(lhs)[0]});
  if (rhsVector)
    rhs = ctx.reshape(rhs, {shapeOf(rhs)[0], 1});
  ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
  if (l.back() != r[r.size() - 2])
    return ctx.fail("inner dimensions differ");
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(l.drop_back(2), r.drop_back(2), shape))
    return ctx.fail("batch dimensions do not broadcast");
  shape.push_back(l[l.size() - 2]);
  shape.push_back(r.back());
  Value result = ctx.create<graph::MatMulOp>(
      RankedTensorType::get(shape, type->getElementType()), lhs, rhs);
  ctx.setOutput(0, ctx.reshape(result, type->getShape()));
  return success();
}

/// Softmax and LogSoftmax: along `axis` since opset 13; before, over the input flattened to 2-D
/// at `axis` (default 1).
template <bool log> LogicalResult importSoftmax(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  if (!isa<FloatType>(getElementTypeOrSelf(input)))
    return ctx.fail("expects a floating-point input");
  std::optional<int64_t> axis =
      normalizeAxis(ctx.intAttr("axis", ctx.opset() < 13 ? 1 : -1), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  auto along = [&](Value x, int64_t dim) -> Value {
    if (log)
      return Expansion(ctx).logSoftmax(x, dim);
    return ctx.create<graph::SoftmaxOp>(x.getType(), x, dim);
  };
  if (ctx.opset() >= 13 || *axis == rank - 1) {
    ctx.setOutput(0, along(input, *axis));
    return success();
  }
  auto [outer, inner] = flattenedSizes(shape, *axis);
  ctx.setOutput(0, ctx.reshape(along(ctx.reshape(input, {outer, inner}), 1), shape));
  return success();
}

/// y = (x - mean) * (1 / sqrt(var + eps)) * scale + bias over the dimensions from `axis` on.
LogicalResult importLayerNorm(NodeContext &ctx) {
  Value x = ctx.input(0);
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", -1), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  if (!isa<FloatType>(type.getElementType()))
    return ctx.fail("expects a floating-point input");
  SmallVector<int64_t> axes;
  for (int64_t d = *axis; d < rank; ++d)
    axes.push_back(d);
  Expansion e(ctx);
  Expansion::Normalized normalized = e.normalize(x, axes, ctx.floatAttr("epsilon", 1e-5f));
  Value result = normalized.value;
  result = ctx.create<graph::MulOp>(type, result, ctx.input(1));
  if (ctx.hasInput(2))
    result = ctx.create<graph::AddOp>(type, result, ctx.input(2));
  ctx.setOutput(0, result);
  // The optional Mean and InvStdDev outputs keep the normalized dimensions as size 1.
  ctx.setOutput(1, normalized.mean);
  ctx.setOutput(2, normalized.invStddev);
  return success();
}

/// InstanceNormalization: each (sample, channel) normalized over its spatial dimensions, then
/// scaled and shifted per channel.
LogicalResult importInstanceNorm(NodeContext &ctx) {
  Value x = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  if (rank < 3 || !isa<FloatType>(getElementTypeOrSelf(x)))
    return ctx.fail("expects a floating-point input [N, C, D...]");
  SmallVector<int64_t> axes, channelShape(rank, 1);
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  channelShape[1] = shape[1];
  Expansion e(ctx);
  Value result = e.normalize(x, axes, ctx.floatAttr("epsilon", 1e-5f)).value;
  result = e.apply<graph::MulOp>(result, ctx.reshape(ctx.input(1), channelShape));
  ctx.setOutput(0, e.apply<graph::AddOp>(result, ctx.reshape(ctx.input(2), channelShape)));
  return success();
}

/// MeanVarianceNormalization: (x - mean) / (stddev + 1e-9) over `axes` (default N, H, W).
LogicalResult importMeanVarianceNorm(NodeContext &ctx) {
  Value x = ctx.input(0);
  int64_t rank = shapeOf(x).size();
  if (!isa<FloatType>(getElementTypeOrSelf(x)))
    return ctx.fail("expects a floating-point input");
  std::vector<int64_t> given = ctx.hasAttr("axes") ? ctx.intsAttr("axes")
                                                   : std::vector<int64_t>{0, 2, 3};
  SmallVector<int64_t> axes;
  for (int64_t axis : given) {
    std::optional<int64_t> d = normalizeAxis(axis, rank);
    if (!d)
      return ctx.fail("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
    axes.push_back(*d);
  }
  llvm::sort(axes);
  Expansion e(ctx);
  Expansion::Moments m = e.moments(x, axes);
  Value stddev = e.apply<graph::AddOp>(e.apply<graph::SqrtOp>(m.variance), 1e-9);
  ctx.setOutput(0, e.apply<graph::DivOp>(m.centered, stddev));
  return success();
}

/// LRN: x / (bias + alpha / size * sum of squares over `size` neighbouring channels)^beta; the
/// channel window sum is an average pool (counting padding) times the window size.
LogicalResult importLRN(NodeContext &ctx) {
  Value x = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size(), size = ctx.intAttr("size", 0);
  if (rank < 3 || !isa<FloatType>(getElementTypeOrSelf(x)))
    return ctx.fail("expects a floating-point input [N, C, D...]");
  if (size < 1)
    return ctx.fail("size must be positive");
  Expansion e(ctx);
  // [N, C, D...] -> [N, 1, C, D1 * D2 ...]: the channels become a spatial dimension.
  int64_t rest = ShapedType::getNumElements(shape.drop_front(2));
  SmallVector<int64_t> pooledShape{shape[0], 1, shape[1], rest};
  Value squares = ctx.reshape(e.apply<graph::MulOp>(x, x), pooledShape);
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Value window = ctx.create<graph::AvgPoolOp>(
      squares.getType(), squares, ArrayRef<int64_t>{size, 1}, ArrayRef<int64_t>{1, 1},
      ArrayRef<int64_t>{1, 1}, ArrayRef<int64_t>{before, 0, after, 0}, true);
  Value sum = ctx.reshape(e.apply<graph::MulOp>(window, double(size)), shape);
  double alpha = ctx.floatAttr("alpha", 1e-4f), beta = ctx.floatAttr("beta", 0.75f);
  Value base = e.apply<graph::AddOp>(e.apply<graph::MulOp>(sum, alpha / size),
                                     ctx.floatAttr("bias", 1.0f));
  Value denominator = e.apply<graph::PowOp>(base, beta);
  ctx.setOutput(0, e.apply<graph::DivOp>(x, denominator));
  return success();
}

/// Hardmax: 1 at the first maximum along `axis`, 0 elsewhere (before opset 13, along the input
/// flattened to 2-D at `axis`).
LogicalResult importHardmax(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  std::optional<int64_t> axis =
      normalizeAxis(ctx.intAttr("axis", ctx.opset() < 13 ? 1 : -1), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  Value x = input;
  int64_t along = *axis;
  if (ctx.opset() < 13) {
    auto [outer, inner] = flattenedSizes(shape, *axis);
    x = ctx.reshape(input, {outer, inner});
    along = 1;
  }
  Expansion e(ctx);
  SmallVector<int64_t> keptShape(shapeOf(x));
  int64_t n = keptShape[along];
  keptShape[along] = 1;
  auto i64 = IntegerType::get(ctx.context(), 64);
  Value index = ctx.create<graph::ArgMaxOp>(RankedTensorType::get(keptShape, i64), x, along,
                                            true, false);
  Value hit = e.compare<graph::EqualOp>(e.iota(n, i64, along, keptShape.size()), index);
  Value result = e.cast(hit, getElementTypeOrSelf(input));
  ctx.setOutput(0, ctx.reshape(result, shape));
  return success();
}

} // namespace

FailureOr<ConvWindow> convolutionWindow(NodeContext &ctx, Value input, Value filter) {
  ArrayRef<int64_t> inShape = shapeOf(input), filterShape = shapeOf(filter);
  int64_t k = int64_t(inShape.size()) - 2;
  if (k < 1 || filterShape.size() != inShape.size())
    return ctx.fail("expects input and filter of the same rank >= 3");
  auto strides = spatialAttr(ctx, "strides", k, 1);
  auto dilations = spatialAttr(ctx, "dilations", k, 1);
  auto kernel = spatialAttr(ctx, "kernel_shape", k, 0);
  if (failed(strides) || failed(dilations) || failed(kernel))
    return failure();
  if (ctx.hasAttr("kernel_shape") && ArrayRef<int64_t>(*kernel) != filterShape.drop_front(2))
    return ctx.fail("kernel_shape does not match the filter's shape");
  auto pads = windowPads(ctx, inShape.drop_front(2), filterShape.drop_front(2), *strides,
                         *dilations);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(pads) || failed(type))
    return failure();
  int64_t group = ctx.intAttr("group", 1);
  if (group < 1 || inShape[1] % group || filterShape[0] % group ||
      filterShape[1] * group != inShape[1])
    return ctx.fail("group=" + Twine(group) + " does not fit " + Twine(inShape[1]) +
                    " input channels and a filter of " + Twine(filterShape[1]) +
                    " channels per group");
  return ConvWindow{*strides, *dilations, *pads, group, llvm::to_vector(type->getShape())};
}

FailureOr<Value> convolution(NodeContext &ctx, Value input, Value filter, Value bias) {
  FailureOr<ConvWindow> window = convolutionWindow(ctx, input, filter);
  if (failed(window))
    return failure();
  auto resultType = RankedTensorType::get(window->outputShape, getElementTypeOrSelf(input));
  return ctx.create<graph::ConvOp>(resultType, input, filter, bias, window->strides,
                                   window->dilations, window->pads, window->group)
      .getResult();
}

void registerNeuralNetOps(OpTable &table) {
  table["Conv"] = importConv;
  table["ConvTranspose"] = importConvTranspose;
  table["MaxPool"] = importPool<graph::MaxPoolOp>;
  table["AveragePool"] = importPool<graph::AvgPoolOp>;
  table["GlobalAveragePool"] = importGlobalPool<graph::ReduceMeanOp>;
  table["GlobalMaxPool"] = importGlobalPool<graph::ReduceMaxOp>;
  table["BatchNormalization"] = importBatchNorm;
  table["Gemm"] = importGemm;
  table["MatMul"] = importMatMul;
  table["Softmax"] = importSoftmax<false>;
  table["LogSoftmax"] = importSoftmax<true>;
  table["LayerNormalization"] = importLayerNorm;
  table["InstanceNormalization"] = importInstanceNorm;
  table["MeanVarianceNormalization"] = importMeanVarianceNorm;
  table["LRN"] = importLRN;
  table["Hardmax"] = importHardmax;
}

} // namespace dlc::onnx_frontend
