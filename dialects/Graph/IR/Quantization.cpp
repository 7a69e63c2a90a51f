// Reading and writing the !quant.uniform types of quantized graph tensors.
#include "dialects/Graph/IR/Quantization.h"

#include <cmath>

using namespace mlir;

namespace dlc::graph {

std::optional<Quantization> Quantization::of(quant::QuantizedType type) {
  Quantization q;
  q.min = type.getStorageTypeMin();
  q.max = type.getStorageTypeMax();
  q.expressed = type.getExpressedType();
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    q.scales = {uniform.getScale()};
    q.zeroPoints = {uniform.getZeroPoint()};
    return q;
  }
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    q.scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    q.zeroPoints.assign(perAxis.getZeroPoints().begin(), perAxis.getZeroPoints().end());
    q.axis = perAxis.getQuantizedDimension();
    return q;
  }
  return std::nullopt;
}

bool Quantization::zeroPointsAreZero() const {
  return llvm::all_of(zeroPoints, [](int64_t z) { return z == 0; });
}

bool Quantization::scalesAreOne() const {
  return llvm::all_of(scales, [](double s) { return s == 1.0; });
}

quant::QuantizedType quantizationType(Type storage, Type expressed, ArrayRef<double> scales,
                                      ArrayRef<int64_t> zeroPoints, std::optional<int32_t> axis) {
  auto integer = dyn_cast<IntegerType>(storage);
  if (!integer || integer.getWidth() != 8 || !isa<FloatType>(expressed) || scales.empty() ||
      scales.size() != zeroPoints.size() || (!axis && scales.size() != 1))
    return {};
  bool isSigned = !integer.isUnsigned();
  int64_t min = quant::QuantizedType::getDefaultMinimumForInteger(isSigned, 8);
  int64_t max = quant::QuantizedType::getDefaultMaximumForInteger(isSigned, 8);
  if (llvm::any_of(zeroPoints, [&](int64_t z) { return z < min || z > max; }) ||
      llvm::any_of(scales, [](double s) { return !(s > 0) || !std::isfinite(s); }))
    return {};
  auto signless = IntegerType::get(storage.getContext(), 8);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  if (axis)
    return quant::UniformQuantizedPerAxisType::get(flags, signless, expressed, scales,
                                                   zeroPoints, *axis, min, max);
  return quant::UniformQuantizedType::get(flags, signless, expressed, scales[0], zeroPoints[0],
                                          min, max);
}

bool storesAs(quant::QuantizedType type, Type storage) {
  auto integer = dyn_cast<IntegerType>(storage);
  return integer && integer.getWidth() == type.getStorageTypeIntegralWidth() &&
         type.isSigned() == !integer.isUnsigned();
}

} // namespace dlc::graph
