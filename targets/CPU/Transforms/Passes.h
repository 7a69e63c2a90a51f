// Declarations and registration of the CPU target's code generation passes (see Passes.td).
// The pass order lives in compiler/Pipelines.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_PASSES_H
#define DLC_TARGETS_CPU_TRANSFORMS_PASSES_H

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Pass/Pass.h"

namespace dlc::cpu {

#define GEN_PASS_DECL
#include "targets/CPU/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/CPU/Transforms/Passes.h.inc"

} // namespace dlc::cpu

#endif
