package io.parikshan.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A patch trial's findings (the {@code candidate} object of a session's status) as one
 * self-contained HTML page: the pair, the counts by endpoint, then each change with the request
 * and production's and the candidate's answers side by side. Every text is escaped.
 */
final class CandidateReportPage {

    private CandidateReportPage() {
    }

    static String html(String production, JsonNode c) {
        StringBuilder b = new StringBuilder(8192);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Candidate patch on ")
                .append(esc(production)).append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:80em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
                        + "td.n{text-align:right}tr.changed td{background:#fee}pre{white-space:pre-wrap;margin:0;font-size:.9em}"
                        + ".side{display:grid;grid-template-columns:1fr 1fr;gap:1em}</style></head><body>\n");
        b.append("<h1>Candidate patch on ").append(esc(production)).append("</h1>\n<p>Patch <code>").append(esc(c.path("patch").asText()))
                .append("</code> on the candidate clone <code>").append(esc(c.path("candidate").asText()))
                .append("</code>, beside the unpatched control <code>").append(esc(c.path("control").asText()))
                .append("</code> (pair ").append(c.path("pair").asLong()).append("), both fed production's live traffic.</p>\n");
        b.append("<p><strong>").append(c.path("changed").asLong()).append("</strong> exchange(s) changed by the patch of ")
                .append(c.path("compared").asLong()).append(" judged; the control differed alone on ")
                .append(c.path("controlDiffers").asLong()).append(" (0 for a sound pair).</p>\n");
        b.append("<p>A change: the candidate answered differently from production where the control answered as "
                + "production did. Noise: both clones differed from production.</p>\n");
        b.append("<h2>By endpoint</h2>\n<table><tr><th>endpoint</th><th>judged</th><th>changed</th><th>noise</th><th>control differs</th></tr>\n");
        for (JsonNode e : c.path("endpoints")) {
            b.append("<tr").append(e.path("changed").asLong() > 0 ? " class=\"changed\"" : "").append("><td><code>")
                    .append(esc(e.path("endpoint").asText())).append("</code></td><td class=\"n\">").append(e.path("compared").asLong())
                    .append("</td><td class=\"n\">").append(e.path("changed").asLong()).append("</td><td class=\"n\">")
                    .append(e.path("noise").asLong()).append("</td><td class=\"n\">").append(e.path("controlDiffers").asLong())
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Changes</h2>\n");
        if (c.path("changes").isEmpty()) {
            b.append("<p>None: the patch changed no answer seen so far.</p>\n");
        }
        for (JsonNode d : c.path("changes")) {
            b.append("<h3>#").append(d.path("number").asLong()).append(" <code>").append(esc(d.path("endpoint").asText()))
                    .append("</code></h3>\n<p>").append(esc(d.path("at").asText())).append(", client ")
                    .append(esc(d.path("connection").asText())).append("</p>\n<ul>");
            for (JsonNode l : d.path("differences")) {
                b.append("<li>").append(esc(l.asText())).append("</li>");
            }
            b.append("</ul>\n<p>Request</p><pre>").append(esc(d.path("request").asText())).append("</pre>\n")
                    .append("<div class=\"side\"><div><p>Production</p><pre>").append(esc(d.path("productionAnswer").asText()))
                    .append("</pre></div><div><p>Candidate</p><pre>").append(esc(d.path("candidateAnswer").asText()))
                    .append("</pre></div></div>\n");
        }
        return b.append("</body></html>\n").toString();
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
