// The compile's progress line and step times (Progress.h).
#include "compiler/Driver/Progress.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

namespace dlc::driver {

namespace {

/// Reports each pass of a pass manager as it starts. The pass manager merges the function
/// passes of neighbouring steps and runs them function by function, so a pass is found by its
/// name from the last one reported on, never before it: a pass run again on another function
/// stays where it is.
class PassProgress : public mlir::PassInstrumentation {
public:
  PassProgress(Progress &progress, std::vector<Progress::PassStep> passes)
      : progress_(progress), passes_(std::move(passes)) {}

  void runBeforePass(mlir::Pass *pass, mlir::Operation *) override {
    llvm::StringRef name = pass->getArgument();
    if (name.empty()) // a pass manager's adaptor for nested passes
      return;
    for (size_t i = at_; i < passes_.size(); ++i)
      if (passes_[i].pass == name) {
        at_ = i;
        break;
      }
    if (at_ >= passes_.size())
      return;
    const std::string &step = passes_[at_].step;
    size_t first = at_, count = 0;
    while (first > 0 && passes_[first - 1].step == step)
      --first;
    for (size_t i = first; i < passes_.size() && passes_[i].step == step; ++i)
      ++count;
    progress_.at(step, "pass " + std::to_string(at_ - first + 1) + "/" +
                           std::to_string(count) + ": " + name.str());
  }

private:
  Progress &progress_;
  std::vector<Progress::PassStep> passes_;
  size_t at_ = 0;
};

} // namespace

Progress &Progress::get() {
  static Progress progress;
  return progress;
}

void Progress::configure(bool line, bool times) {
  line_ = line && llvm::sys::Process::StandardErrIsDisplayed();
  times_ = times;
}

void Progress::closeStep() {
  if (step_.empty())
    return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stepStart_)
                       .count();
  auto known = llvm::find_if(totals_, [&](const auto &entry) { return entry.first == step_; });
  if (known == totals_.end())
    totals_.emplace_back(step_, seconds);
  else
    known->second += seconds;
}

void Progress::at(llvm::StringRef step, llvm::StringRef detail) {
  if (!line_ && !times_)
    return;
  if (step != step_) {
    closeStep();
    step_ = step.str();
    stepStart_ = std::chrono::steady_clock::now();
  }
  std::string text = "dlc: " + (part_.empty() ? "" : "specialization " + part_ + ", ") + step_;
  if (!detail.empty())
    text += " (" + detail.str() + ")";
  show(text);
}

void Progress::appendPasses(llvm::StringRef pipeline, llvm::StringRef step,
                            std::vector<PassStep> &passes) {
  // "builtin.module(canonicalize{...},func.func(a,b{x=1}))": a name before "(" anchors nested
  // passes, one before "," or ")" is a pass; options in braces are skipped.
  std::string name;
  int braces = 0;
  for (char c : pipeline) {
    if (c == '{' || c == '}') {
      braces += c == '{' ? 1 : -1;
      continue;
    }
    if (braces > 0)
      continue;
    if (c == '(') {
      name.clear();
    } else if (c == ',' || c == ')') {
      if (!llvm::StringRef(name).trim().empty())
        passes.push_back({step.str(), llvm::StringRef(name).trim().str()});
      name.clear();
    } else {
      name += c;
    }
  }
}

void Progress::instrument(mlir::PassManager &pm, std::vector<PassStep> passes) {
  if (line_ || times_)
    pm.addInstrumentation(std::make_unique<PassProgress>(*this, std::move(passes)));
}

void Progress::show(const std::string &text) {
  if (!line_ || text == shown_)
    return;
  // One line, rewritten: back to its start, the text cut to the terminal's width, the rest
  // of the old line cleared.
  unsigned width = llvm::sys::Process::StandardErrColumns();
  std::string cut = width > 1 && text.size() >= width ? text.substr(0, width - 1) : text;
  llvm::errs() << "\r" << cut << "\x1b[K";
  llvm::errs().flush();
  shown_ = text;
}

void Progress::interrupt() {
  if (line_ && !shown_.empty()) {
    llvm::errs() << "\r\x1b[K";
    llvm::errs().flush();
    shown_.clear();
  }
}

void Progress::finish() {
  closeStep();
  step_.clear();
  interrupt();
  if (times_ && !totals_.empty()) {
    double total = 0;
    for (const auto &[step, seconds] : totals_)
      total += seconds;
    for (const auto &[step, seconds] : totals_)
      llvm::errs() << llvm::format("dlc: %-16s %8.3f s\n", step.c_str(), seconds);
    llvm::errs() << llvm::format("dlc: %-16s %8.3f s\n", "total", total);
  }
  totals_.clear();
}

} // namespace dlc::driver
