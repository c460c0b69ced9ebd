// The parts of CodeMirror 6 that the console's editor uses, bundled into one ES module
// (assets/vendor/codemirror.js) by build-vendor.sh.
export { EditorState, EditorSelection, StateEffect, StateField } from "@codemirror/state";
export {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  drawSelection,
  Decoration,
} from "@codemirror/view";
export {
  foldGutter,
  foldKeymap,
  bracketMatching,
  indentOnInput,
  syntaxHighlighting,
  defaultHighlightStyle,
  HighlightStyle,
  syntaxTree,
} from "@codemirror/language";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
export { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
export { linter, lintGutter, setDiagnostics, forceLinting } from "@codemirror/lint";
export { json, jsonParseLinter } from "@codemirror/lang-json";
export { tags } from "@lezer/highlight";
