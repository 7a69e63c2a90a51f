// Fixed and bounded input shapes: parses `--shape` and `--max-shape`, checks them against a
// model's graph inputs, and lists the static compilations (specializations) the model needs.
#ifndef DLC_COMPILER_DRIVER_SHAPES_H
#define DLC_COMPILER_DRIVER_SHAPES_H

#include "targets/Common/Artifact.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dlc::driver {

/// Input shapes by graph-input name.
using InputShapes = std::map<std::string, std::vector<int64_t>>;

/// The shapes given on the command line.
struct ShapeOptions {
  InputShapes fixed;  ///< --shape NAME=AxBxC: the input has exactly this shape
  InputShapes bounds; ///< --max-shape NAME=AxBxC: its symbolic dimensions go up to these
  /// --max-shape NAME=...xLO..HI:STEP: per bounded input, each dimension's smallest value and
  /// step (1 and 1 for a plain bound).
  InputShapes boundMins, boundSteps;
  /// Where a fixed shape came from when not from --shape (an input file), for messages.
  std::map<std::string, std::string> sources;
  /// The most specializations a compilation with bounded dimensions may need.
  int64_t maxSpecializations = 64;
};

/// Parses `NAME=AxBxC` (`flag` names the option in messages) into `shapes`; returns an error
/// message when the text is malformed or NAME was given before.
std::optional<std::string> parseShapeArgument(llvm::StringRef flag, llvm::StringRef text,
                                              InputShapes &shapes);

/// Parses a --max-shape argument `NAME=D1xD2x...` into `options`, where each D is a bound `HI`
/// (values 1..HI), a range `LO..HI` or a stepped range `LO..HI:STEP` (LO, LO+STEP, ..., HI);
/// returns an error message when the text is malformed or NAME was given before.
std::optional<std::string> parseBoundArgument(llvm::StringRef text, ShapeOptions &options);

/// The static compilations that cover a model's inputs.
struct ShapePlan {
  /// The bounded symbolic dimensions; empty when one static compilation covers the model.
  std::vector<targets::SymbolicDim> dims;
  /// For each runtime graph input: its dimensions' indices in `dims`, -1 where static.
  std::vector<std::vector<int>> inputDims;
  /// One static compilation: the values of `dims` and the shape of every graph input whose
  /// dimensions were symbolic or given on the command line.
  struct Specialization {
    std::vector<int64_t> dimValues;
    InputShapes inputShapes;
  };
  /// In the order of targets::ModelSignature::specializations (the last dimension fastest);
  /// exactly one when `dims` is empty.
  std::vector<Specialization> specializations;
};

/// Checks `options` against the runtime graph inputs of `model` (read from `path`, before shape
/// inference) and plans its compilations. Fails with a message naming the file, the input and
/// the dimension when a name is not an input, a rank or static dimension disagrees, a symbolic
/// dimension is neither fixed nor bounded, or the bounds need too many specializations.
llvm::Expected<ShapePlan> planShapes(const onnx::ModelProto &model, const std::string &path,
                                     const ShapeOptions &options);

} // namespace dlc::driver

#endif
