// The dlc-cpu-legalize-tile-loops pass: scf loops that carry AMX tiles carry LLVM's x86_amx
// values instead, which the control-flow lowering can type (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/TileTypes.h"

#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_LEGALIZETILELOOPSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

struct LegalizeTileLoopsPass : impl::LegalizeTileLoopsPassBase<LegalizeTileLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    if (failed(convertTileTypes(getOperation(), [ctx](amx::TileType) -> Type {
          return LLVM::LLVMX86AMXType::get(ctx);
        })))
      signalPassFailure();
  }
};

} // namespace

LogicalResult convertTileTypes(Operation *root, std::function<Type(amx::TileType)> convert,
                               function_ref<void(TypeConverter &, RewritePatternSet &)>
                                   addPatterns) {
  MLIRContext *ctx = root->getContext();
  TypeConverter converter;
  converter.addConversion([](Type type) { return type; });
  converter.addConversion([convert](amx::TileType tile) -> Type { return convert(tile); });
  auto cast = [](OpBuilder &b, Type type, ValueRange inputs, Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs).getResult(0);
  };
  converter.addSourceMaterialization(cast);
  converter.addTargetMaterialization(cast);
  RewritePatternSet patterns(ctx);
  ConversionTarget target(*ctx);
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  if (addPatterns) {
    addPatterns(converter, patterns);
    target.addIllegalDialect<amx::AMXDialect>();
  }
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns, target);
  return applyPartialConversion(root, target, std::move(patterns));
}

} // namespace dlc::cpu
