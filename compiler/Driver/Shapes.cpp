// Shape planning for models with symbolic dimensions: each symbolic dimension (a dim_param,
// shared by every input that names it) is fixed by --shape or bounded by --max-shape.
#include "compiler/Driver/Shapes.h"

#include "frontends/onnx/Importer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

namespace dlc::driver {
namespace {

llvm::Error planError(const std::string &path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": " + message);
}

std::string joinDims(llvm::ArrayRef<std::string> dims) { return llvm::join(dims, "x"); }

/// A symbolic dimension while planning: fixed by --shape, bounded by --max-shape, or neither.
struct Symbol {
  std::string name;
  std::optional<int64_t> fixed, max;
  std::string input;         ///< the first input that has it, for messages
  int dim = 0;               ///< its position there
  int64_t min = 1, step = 1; ///< with max, from --max-shape
};

/// The shape of `input` as a --shape argument would spell it, with `symbol` for each symbolic
/// dimension: "Nx3x224x224".
std::string shapeExample(const onnx::TensorShapeProto &shape, llvm::StringRef symbol) {
  std::vector<std::string> dims;
  for (const auto &dim : shape.dim())
    dims.push_back(dim.has_dim_value() ? std::to_string(dim.dim_value()) : symbol.str());
  return joinDims(dims);
}

} // namespace

std::optional<std::string> parseShapeArgument(llvm::StringRef flag, llvm::StringRef text,
                                              InputShapes &shapes) {
  size_t eq = text.rfind('=');
  if (eq == llvm::StringRef::npos || eq == 0)
    return flag.str() + " " + text.str() + " is not NAME=DIMS (for example x=1x3x224x224)";
  std::string name = text.take_front(eq).str();
  llvm::SmallVector<llvm::StringRef> parts;
  text.drop_front(eq + 1).split(parts, 'x');
  std::vector<int64_t> dims;
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 1)
      return flag.str() + " " + text.str() + ": \"" + part.str() +
             "\" is not a positive dimension (dimensions are separated by x)";
    dims.push_back(dim);
  }
  if (!shapes.emplace(name, dims).second)
    return flag.str() + " gives input \"" + name + "\" twice";
  return std::nullopt;
}

std::optional<std::string> parseBoundArgument(llvm::StringRef text, ShapeOptions &options) {
  const std::string flag = "--max-shape";
  size_t eq = text.rfind('=');
  if (eq == llvm::StringRef::npos || eq == 0)
    return flag + " " + text.str() + " is not NAME=DIMS (for example x=1x3x48x320..960:32)";
  std::string name = text.take_front(eq).str();
  llvm::SmallVector<llvm::StringRef> parts;
  text.drop_front(eq + 1).split(parts, 'x');
  std::vector<int64_t> mins, maxs, steps;
  for (llvm::StringRef part : parts) {
    auto [range, stepText] = part.split(':');
    auto [lowText, highText] = range.split("..");
    bool isRange = range.contains("..");
    int64_t low = 1, high, step = 1;
    bool bad = (isRange ? lowText.getAsInteger(10, low) : false) ||
               (isRange ? highText : range).getAsInteger(10, high) ||
               (part.contains(':') && (!isRange || stepText.getAsInteger(10, step)));
    if (bad || low < 1 || high < low || step < 1)
      return flag + " " + text.str() + ": \"" + part.str() +
             "\" is not a dimension bound (HI, LO..HI or LO..HI:STEP with 1 <= LO <= HI; "
             "dimensions are separated by x)";
    if ((high - low) % step != 0)
      return flag + " " + text.str() + ": in \"" + part.str() + "\", " +
             std::to_string(high) + " is not " + std::to_string(low) + " plus a multiple of " +
             std::to_string(step);
    mins.push_back(low);
    maxs.push_back(high);
    steps.push_back(step);
  }
  if (!options.bounds.emplace(name, maxs).second)
    return flag + " gives input \"" + name + "\" twice";
  options.boundMins[name] = mins;
  options.boundSteps[name] = steps;
  return std::nullopt;
}

llvm::Expected<ShapePlan> planShapes(const onnx::ModelProto &model, const std::string &path,
                                     const ShapeOptions &options) {
  std::vector<const onnx::ValueInfoProto *> inputs = onnx_frontend::runtimeInputs(model);
  std::vector<std::string> inputNames;
  for (const onnx::ValueInfoProto *input : inputs)
    inputNames.push_back(input->name());
  for (const auto &[flag, given] : {std::pair{"--shape", &options.fixed},
                                    std::pair{"--max-shape", &options.bounds}})
    for (const auto &entry : *given) {
      if (!llvm::is_contained(inputNames, entry.first))
        return planError(path, llvm::Twine(flag) + " names \"" + entry.first +
                                   "\", which is not a graph input (the inputs: " +
                                   llvm::join(inputNames, ", ") + ")");
      if (given == &options.bounds && options.fixed.count(entry.first))
        return planError(path, "input \"" + entry.first +
                                   "\" is given both --shape and --max-shape");
    }

  std::vector<Symbol> symbols;
  // For each input: the index in `symbols` of each dimension, -1 where static.
  std::vector<std::vector<int>> symbolsOf;
  for (const onnx::ValueInfoProto *input : inputs) {
    std::vector<int> &symbolOf = symbolsOf.emplace_back();
    const auto &type = input->type();
    if (!type.has_tensor_type() || !type.tensor_type().has_shape())
      continue; // the importer reports inputs it cannot take
    const onnx::TensorShapeProto &shape = type.tensor_type().shape();
    const std::string &name = input->name();
    auto fixed = options.fixed.find(name), bound = options.bounds.find(name);
    const std::vector<int64_t> *given = fixed != options.fixed.end()   ? &fixed->second
                                        : bound != options.bounds.end() ? &bound->second
                                                                        : nullptr;
    bool isBound = fixed == options.fixed.end() && bound != options.bounds.end();
    // A plain bound's values start at 1 with step 1.
    auto rangeOf = [&](const InputShapes &ranges, int k) -> int64_t {
      auto found = isBound ? ranges.find(name) : ranges.end();
      return found == ranges.end() ? 1 : found->second[k];
    };
    std::string flag = fixed == options.fixed.end() ? "--max-shape"
                       : options.sources.count(name) ? options.sources.at(name)
                                                     : "--shape";
    if (given && int(given->size()) != shape.dim_size())
      return planError(path, "graph input \"" + name + "\" has " +
                                 llvm::Twine(shape.dim_size()) + " dimensions (" +
                                 shapeExample(shape, "?") + "), but " + flag + " gives " +
                                 llvm::Twine(given->size()));
    for (int k = 0; k < shape.dim_size(); ++k) {
      const auto &dim = shape.dim(k);
      int64_t min = rangeOf(options.boundMins, k), step = rangeOf(options.boundSteps, k);
      bool ranged = min != 1 || step != 1;
      if (dim.has_dim_value()) {
        symbolOf.push_back(-1);
        if (ranged)
          return planError(path, "graph input \"" + name + "\" dimension " + llvm::Twine(k) +
                                     " is static (" + shapeExample(shape, "?") +
                                     "), but --max-shape gives it a range");
        if (given && (*given)[k] != dim.dim_value())
          return planError(path, "graph input \"" + name + "\" dimension " + llvm::Twine(k) +
                                     " is " + llvm::Twine(dim.dim_value()) + " (" +
                                     shapeExample(shape, "?") + "), but " + flag + " gives " +
                                     llvm::Twine((*given)[k]));
        continue;
      }
      std::string symbolName =
          dim.dim_param().empty() ? name + "_dim" + std::to_string(k) : dim.dim_param();
      auto found = llvm::find_if(symbols, [&](const Symbol &s) { return s.name == symbolName; });
      if (found == symbols.end()) {
        symbols.push_back({symbolName, std::nullopt, std::nullopt, name, k});
        found = std::prev(symbols.end());
      }
      symbolOf.push_back(int(found - symbols.begin()));
      if (!given)
        continue;
      std::optional<int64_t> &slot = isBound ? found->max : found->fixed;
      auto describe = [](int64_t low, int64_t high, int64_t by) {
        return low == 1 && by == 1 ? std::to_string(high)
                                   : std::to_string(low) + ".." + std::to_string(high) +
                                         (by == 1 ? "" : ":" + std::to_string(by));
      };
      if (slot && (*slot != (*given)[k] || (isBound && (found->min != min || found->step != step))))
        return planError(path, "dimension \"" + symbolName + "\" is given as " +
                                   (isBound ? describe(found->min, *slot, found->step)
                                            : std::to_string(*slot)) +
                                   " and as " +
                                   (isBound ? describe(min, (*given)[k], step)
                                            : std::to_string((*given)[k])) +
                                   " (" + flag + " " + name + ")");
      slot = (*given)[k];
      if (isBound) {
        found->min = min;
        found->step = step;
      }
    }
  }

  for (const Symbol &symbol : symbols) {
    if (symbol.fixed || symbol.max)
      continue;
    const onnx::ValueInfoProto &input = **llvm::find_if(
        inputs, [&](const onnx::ValueInfoProto *info) { return info->name() == symbol.input; });
    std::string example = shapeExample(input.type().tensor_type().shape(), "N");
    return planError(path, "graph input \"" + symbol.input + "\" dimension " +
                               llvm::Twine(symbol.dim) + " (\"" + symbol.name +
                               "\") is symbolic; fix it with --shape " + symbol.input + "=" +
                               example + " or bound it with --max-shape " + symbol.input + "=" +
                               example);
  }

  // Fixed symbols take their value everywhere; the bounded ones become the run's dimensions.
  ShapePlan plan;
  std::vector<int> dimOfSymbol(symbols.size(), -1);
  int64_t count = 1;
  std::vector<std::string> bounds;
  for (auto [i, symbol] : llvm::enumerate(symbols)) {
    if (symbol.fixed)
      continue;
    dimOfSymbol[i] = int(plan.dims.size());
    targets::SymbolicDim &dim = plan.dims.emplace_back();
    dim.name = symbol.name;
    dim.min = symbol.min;
    dim.max = *symbol.max;
    dim.step = symbol.step;
    bounds.push_back(symbol.name + " in " + std::to_string(dim.min) + ".." +
                     std::to_string(dim.max) +
                     (dim.step > 1 ? " step " + std::to_string(dim.step) : ""));
    count *= dim.numValues();
    if (count > options.maxSpecializations)
      return planError(path, "the bounds (" + llvm::join(bounds, ", ") +
                                 ", ...) need more than " +
                                 llvm::Twine(options.maxSpecializations) +
                                 " specializations (one per combination of values); fix some "
                                 "dimensions with --shape, lower the bounds, or raise "
                                 "--max-specializations");
  }
  for (const std::vector<int> &symbolOf : symbolsOf) {
    std::vector<int> &dimsOf = plan.inputDims.emplace_back();
    for (int index : symbolOf)
      dimsOf.push_back(index < 0 ? -1 : dimOfSymbol[index]);
  }

  std::vector<int64_t> values;
  for (const targets::SymbolicDim &dim : plan.dims)
    values.push_back(dim.min);
  for (int64_t n = 0; n < count; ++n) {
    ShapePlan::Specialization &specialization = plan.specializations.emplace_back();
    specialization.dimValues = values;
    for (auto [input, symbolOf] : llvm::zip(inputs, symbolsOf)) {
      bool given = options.fixed.count(input->name()) || options.bounds.count(input->name());
      if (!given && llvm::all_of(symbolOf, [](int index) { return index < 0; }))
        continue;
      std::vector<int64_t> &shape = specialization.inputShapes[input->name()];
      const onnx::TensorShapeProto &declared = input->type().tensor_type().shape();
      for (auto [k, index] : llvm::enumerate(symbolOf))
        shape.push_back(index < 0               ? declared.dim(k).dim_value()
                        : symbols[index].fixed ? *symbols[index].fixed
                                                : values[dimOfSymbol[index]]);
    }
    // The next combination: the last dimension varies fastest.
    for (int d = int(values.size()) - 1; d >= 0; --d) {
      values[d] += plan.dims[d].step;
      if (values[d] <= plan.dims[d].max)
        break;
      values[d] = plan.dims[d].min;
    }
  }
  return plan;
}

} // namespace dlc::driver
