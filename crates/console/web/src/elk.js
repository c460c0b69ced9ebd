// elkjs (the Eclipse Layout Kernel compiled to JavaScript) as an ES module, for the page and for
// the layout test in Node alike.
import ELK from "elkjs/lib/elk.bundled.js";
export default ELK;
