// CodeMirror 6, set up for ASL: JSON highlighting, folding, bracket matching, line numbers,
// undo history, search, and a gutter for the validator's diagnostics.

import {
  EditorState, EditorView, EditorSelection, keymap, lineNumbers, highlightActiveLine,
  highlightActiveLineGutter, drawSelection, foldGutter, foldKeymap, bracketMatching,
  indentOnInput, syntaxHighlighting, HighlightStyle, tags, defaultKeymap, history,
  historyKeymap, indentWithTab, searchKeymap, highlightSelectionMatches, closeBrackets,
  closeBracketsKeymap, lintGutter, setDiagnostics, json,
} from "../../vendor/codemirror.js";

/** Token colours come from CSS variables, so dark mode needs no second theme. */
const highlight = HighlightStyle.define([
  { tag: tags.propertyName, class: "tok-property" },
  { tag: tags.string, class: "tok-string" },
  { tag: tags.number, class: "tok-number" },
  { tag: [tags.bool, tags.null], class: "tok-keyword" },
  { tag: tags.invalid, class: "tok-invalid" },
]);

/** The page's style nonce (see index.html): CodeMirror's `<style>` elements carry it, so the
 *  Content-Security-Policy needs no 'unsafe-inline'. */
const nonce = document.querySelector('meta[name="fluxo-style-nonce"]')?.content || "";

function base() {
  return [
    EditorView.cspNonce.of(nonce),
    lineNumbers(), foldGutter(), drawSelection(), bracketMatching(), highlightActiveLineGutter(),
    syntaxHighlighting(highlight), json(), EditorView.lineWrapping,
    keymap.of([...foldKeymap, ...searchKeymap]),
  ];
}

/** An editable JSON editor in `parent`; `onChange(text)` after each change. */
export function createEditor(parent, text, { onChange = () => {}, onCursor = () => {}, label = "Definition" } = {}) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        base(), history(), indentOnInput(), closeBrackets(), highlightActiveLine(),
        highlightSelectionMatches(), lintGutter(),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
          if (update.selectionSet && !update.docChanged) onCursor(update.state.selection.main.head);
        }),
      ],
    }),
  });
}

/** A read-only, highlighted JSON view in `parent`. */
export function createViewer(parent, text, label = "Definition") {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [base(), EditorState.readOnly.of(true), EditorView.editable.of(false),
        EditorView.contentAttributes.of({ "aria-label": label })],
    }),
  });
}

/** Replaces the whole text (one undoable change). */
export function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** Selects a range, the cursor at its start (so the active line is the state's key), and
 *  scrolls it into view. */
export function selectRange(view, from, to) {
  view.dispatch({ selection: EditorSelection.single(to, from), scrollIntoView: true });
}

/** Shows diagnostics: `[{from, to, severity: "error"|"warning", message}]`. */
export function showDiagnostics(view, diagnostics) {
  view.dispatch(setDiagnostics(view.state, diagnostics));
}
