// Draws the page's Mermaid diagrams with the bundled mermaid (_static/vendor/mermaid.min.js,
// loaded just before this file as a classic script): no network, and it works from file://.
// mermaid renders every <pre class="mermaid"> when the page has loaded. Diagrams keep
// their own size (useMaxWidth off: shrunk to the body's width, a workflow's labels are
// too small to read); ssp.css lets a wide one scroll in its box.
mermaid.initialize({
    startOnLoad: true,
    securityLevel: "strict",
    theme: "default",
    flowchart: { useMaxWidth: false },
    state: { useMaxWidth: false },
});
