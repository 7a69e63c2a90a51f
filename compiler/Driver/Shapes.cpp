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
  std::string input; ///< the first input that has it, for messages
  int dim = 0;       ///< its position there
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
      if (dim.has_dim_value()) {
        symbolOf.push_back(-1);
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
      std::optional<int64_t> &slot = given == &fixed->second ? found->fixed : found->max;
      if (slot && *slot != (*given)[k])
        return planError(path, "dimension \"" + symbolName + "\" is given as " +
                                   llvm::Twine(*slot) + " and as " +
                                   llvm::Twine((*given)[k]) + " (" + flag + " " + name + ")");
      slot = (*given)[k];
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
    plan.dims.push_back({symbol.name, *symbol.max});
    bounds.push_back(symbol.name + " <= " + std::to_string(*symbol.max));
    count *= *symbol.max;
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

  std::vector<int64_t> values(plan.dims.size(), 1);
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
      if (++values[d] <= plan.dims[d].max)
        break;
      values[d] = 1;
    }
  }
  return plan;
}

} // namespace dlc::driver
