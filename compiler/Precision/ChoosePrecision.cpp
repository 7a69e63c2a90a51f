// The dlc-choose-precision pass: matrix products with constant weights take bf16 operands (see
// Passes.td for the rewrite and what stays in fp32).
#include "compiler/Precision/Passes.h"

#include "dialects/Graph/IR/GraphDialect.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/NodeNames.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc::precision {

#define GEN_PASS_DEF_CHOOSEPRECISIONPASS
#include "compiler/Precision/Passes.h.inc"

namespace {

using namespace mlir;

/// `values` (f32) rounded to bf16, to nearest with ties to even.
DenseElementsAttr toBF16(DenseElementsAttr values) {
  auto type = cast<RankedTensorType>(values.getType());
  auto bf16 = BFloat16Type::get(type.getContext());
  return values.mapValues(bf16, [](const APFloat &value) {
    APFloat rounded = value;
    bool losesInfo = false;
    rounded.convert(APFloat::BFloat(), APFloat::rmNearestTiesToEven, &losesInfo);
    return rounded.bitcastToAPInt();
  });
}

/// The --precision spelling of a float type (fp32), or the type as MLIR prints it.
std::string formatName(Type type) {
  if (auto floatType = dyn_cast<FloatType>(type); floatType && !type.isBF16())
    return "fp" + std::to_string(floatType.getWidth());
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

/// Whether `conv` is depthwise: one input and one output channel per group.
bool isDepthwise(graph::ConvOp conv) {
  auto filter = cast<RankedTensorType>(conv.getFilter().getType());
  return conv.getGroup() > 1 && filter.getDimSize(1) == 1 &&
         filter.getDimSize(0) == conv.getGroup();
}

/// The constant f32 filters of a convolution that bf16 computes (ungrouped or depthwise, 2-D,
/// f32), or null.
DenseElementsAttr bf16Filters(graph::ConvOp conv) {
  auto filter = conv.getFilter().getDefiningOp<graph::ConstantOp>();
  auto values = filter ? dyn_cast<DenseElementsAttr>(filter.getValue()) : nullptr;
  if (!values || !values.getElementType().isF32() ||
      (conv.getGroup() != 1 && !isDepthwise(conv)) ||
      cast<RankedTensorType>(conv.getInput().getType()).getRank() != 4 ||
      !getElementTypeOrSelf(conv.getInput()).isF32() ||
      !getElementTypeOrSelf(conv).isF32())
    return {};
  return values;
}

bool isBF16Candidate(graph::ConvOp conv) { return bool(bf16Filters(conv)); }

/// The format the precision plan on `op`'s function gives its node, or "" without a plan (or
/// for a node the plan does not name).
StringRef plannedFormat(Operation *op) {
  auto func = op->getParentOfType<func::FuncOp>();
  auto plan = func ? func->getAttrOfType<DictionaryAttr>(graph::kPrecisionPlanAttr) : nullptr;
  auto format = plan ? plan.getAs<StringAttr>(graph::nodeNameOf(op)) : nullptr;
  return format ? format.getValue() : StringRef();
}

/// Why a product or convolution computes in `format` under `precision`; `candidate` says
/// whether it is one --precision=bf16 would convert.
std::string reason(StringRef precision, StringRef format, Operation *op, bool candidate) {
  StringRef planned = plannedFormat(op);
  if (precision == "mixed" && !(planned.empty() && format == "int8")) {
    if (planned.empty())
      return "not in the precision plan";
    if (planned == format)
      return "the precision plan's choice";
    return "the precision plan asks " + planned.str() + ", which it cannot compute in";
  }
  bool isConv = isa<graph::ConvOp>(op);
  if (format == "int8")
    return precision == "int8" ? (isConv ? "8-bit operands (a calibrated convolution, or a "
                                           "quantized model's)"
                                         : "8-bit operands (a calibrated product, or a quantized "
                                           "model's)")
           : isConv ? "8-bit operands (a quantized model's convolution)"
                    : "8-bit operands (MatMulInteger, QLinearMatMul or a quantized model's "
                      "product)";
  if (format == "bf16")
    return isConv ? "constant filters, --precision=bf16" : "constant weights, --precision=bf16";
  if (precision == "fp32")
    return "the compilation's precision is fp32";
  auto conv = dyn_cast<graph::ConvOp>(op);
  if (conv && precision == "int8" && isDepthwise(conv))
    return "depthwise: int8 where a --precision=auto plan chooses it";
  if (isConv)
    return precision == "int8" ? "grouped but not depthwise, not 2-D, or its input has no "
                                 "calibrated range"
           : !candidate        ? "grouped but not depthwise, not 2-D, or filters not "
                                 "constant fp32"
                               : "the target keeps it in fp32";
  auto matmul = cast<graph::MatMulOp>(op);
  return !matmul.getRhs().getDefiningOp<graph::ConstantOp>() ? "a product of two activations"
         : precision == "int8"                               ? "its input has no calibrated range"
                                                             : "weights not in fp32";
}

/// "NAME\tFORMAT\tWHY" for each product and convolution of `func`, after `precision` chose.
ArrayAttr precisionReport(func::FuncOp func, StringRef precision) {
  Builder b(func.getContext());
  SmallVector<Attribute> lines;
  func.walk([&](Operation *op) {
    Type element;
    bool candidate = false;
    if (auto matmul = dyn_cast<graph::MatMulOp>(op))
      element = getElementTypeOrSelf(matmul.getLhs());
    else if (auto conv = dyn_cast<graph::ConvOp>(op))
      element = getElementTypeOrSelf(conv.getInput()), candidate = isBF16Candidate(conv);
    else
      return;
    std::string format = element.isInteger(8) ? "int8"
                         : element.isBF16()   ? "bf16"
                                              : formatName(element);
    lines.push_back(b.getStringAttr(graph::nodeNameOf(op) + "\t" + format + "\t" +
                                    reason(precision, format, op, candidate)));
  });
  return b.getArrayAttr(lines);
}

struct ChoosePrecisionPass : impl::ChoosePrecisionPassBase<ChoosePrecisionPass> {
  using Base::Base;

  void runOnOperation() override {
    choose();
    // A module that has been through the pass (one replayed with dlc-opt, whose printed form
    // lost the node names) keeps the report it has.
    if (!getOperation()->hasAttr(kPrecisionsAttr))
      getOperation()->setAttr(kPrecisionsAttr, precisionReport(getOperation(), precision));
  }

  void choose() {
    // int8 products are chosen by the importer, which has the calibration's tensor names.
    if (precision == "fp32" || precision == "int8")
      return;
    if (precision != "bf16" && precision != "mixed") {
      getOperation().emitError() << "dlc-choose-precision: unknown precision '" << precision
                                 << "' (fp32, bf16, int8 or mixed)";
      return signalPassFailure();
    }
    // bf16 takes every candidate; a plan the nodes it names bf16.
    auto chosen = [&](Operation *op) {
      return precision == "bf16" || plannedFormat(op) == "bf16";
    };
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](graph::MatMulOp op) {
      auto weights = op.getRhs().getDefiningOp<graph::ConstantOp>();
      auto values = weights ? dyn_cast<DenseElementsAttr>(weights.getValue()) : nullptr;
      if (!values || !values.getElementType().isF32() ||
          !getElementTypeOrSelf(op.getLhs()).isF32() || !getElementTypeOrSelf(op).isF32() ||
          !chosen(op))
        return;
      rewriter.setInsertionPoint(op);
      auto bf16 = rewriter.getBF16Type();
      auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
      Value lhs = graph::CastOp::create(rewriter, op.getLoc(), lhsType.clone(bf16), op.getLhs());
      DenseElementsAttr rounded = toBF16(values);
      Value rhs = graph::ConstantOp::create(rewriter, weights.getLoc(), rounded.getType(),
                                            rounded);
      rewriter.modifyOpInPlace(op, [&] { op->setOperands({lhs, rhs}); });
    });
    getOperation().walk([&](graph::ConvOp op) {
      DenseElementsAttr values = bf16Filters(op);
      if (!values || !chosen(op))
        return;
      rewriter.setInsertionPoint(op);
      auto bf16 = rewriter.getBF16Type();
      auto inputType = cast<RankedTensorType>(op.getInput().getType());
      Value input =
          graph::CastOp::create(rewriter, op.getLoc(), inputType.clone(bf16), op.getInput());
      DenseElementsAttr rounded = toBF16(values);
      Value filter = graph::ConstantOp::create(rewriter, op.getFilter().getLoc(),
                                               rounded.getType(), rounded);
      rewriter.modifyOpInPlace(op, [&] {
        op.getInputMutable().assign(input);
        op.getFilterMutable().assign(filter);
      });
    });
  }
};

} // namespace
} // namespace dlc::precision
