// Rewriting the type of AMX tile values everywhere they flow, loops included: what the AMX
// emulation (tiles as vectors) and the LLVM lowering (tiles as x86_amx) share.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_TILETYPES_H
#define DLC_TARGETS_CPU_TRANSFORMS_TILETYPES_H

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc::cpu {

/// Gives every tile value in `root` the type `convert` returns for it: the scf loops that carry
/// tiles by scf's structural conversions, the tile ops by the patterns `addPatterns` adds
/// (which then make the amx dialect illegal), or else with casts around them.
mlir::LogicalResult convertTileTypes(
    mlir::Operation *root, std::function<mlir::Type(mlir::amx::TileType)> convert,
    llvm::function_ref<void(mlir::TypeConverter &, mlir::RewritePatternSet &)> addPatterns = {});

} // namespace dlc::cpu

#endif
