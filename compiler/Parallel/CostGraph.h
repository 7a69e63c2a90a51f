// What the parallel planner knows of a model: its ops in topological order, each with the
// work it does, the bytes it reads and writes, and the constants it holds.
#ifndef DLC_COMPILER_PARALLEL_COSTGRAPH_H
#define DLC_COMPILER_PARALLEL_COSTGRAPH_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::parallel {

/// How an op splits across a tensor-parallel group (docs/design.md, Auto-parallel).
enum class OpKind {
  Product,       ///< MatMul/Gemm: columns or rows of its constant operand, or per head
  Convolution,   ///< output channels, or input channels with a sum after
  Depthwise,     ///< a grouped convolution of one channel per group: channels stay split
  Elementwise,   ///< keeps whatever split its operands have
  Normalization, ///< reads a whole row (LayerNormalization, reductions): needs it whole
  Other,         ///< anything else: needs its operands whole
};

/// One op of the model.
struct CostNode {
  std::string name, opType;
  OpKind kind = OpKind::Other;
  double flops = 0;        ///< arithmetic of one run (a multiply-add counts 2)
  double weightBytes = 0;  ///< its constant operands (initializers)
  double inputBytes = 0;   ///< its runtime operands
  double outputBytes = 0;  ///< its results
  /// The ops whose results it reads (indices into CostGraph::nodes; graph inputs are absent).
  std::vector<int> inputs;
  /// A product or convolution whose weights are constants: tensor parallelism splits them.
  bool constantWeights = false;
};

/// A model for the planner.
struct CostGraph {
  std::string name;
  std::vector<CostNode> nodes;  ///< topological order
  std::vector<int> outputs;     ///< the ops whose results are the model's outputs
  int64_t batch = 1;            ///< the inputs' leading dimension: what data parallelism splits
  double inputBytes = 0;        ///< the model's inputs

  double weightBytes() const;
  double flops() const;
};

} // namespace dlc::parallel

#endif
