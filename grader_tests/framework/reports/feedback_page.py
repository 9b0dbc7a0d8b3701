"""The student's feedback page and offline math, on nbgrader's configurable feedback export.

`nbgrader generate_feedback` renders each autograded notebook with an nbconvert exporter
(`c.GenerateFeedback.exporter_class`). The course sets it to `FeedbackPage`, an HTMLExporter
that renders the course's template (`templates/course_feedback/index.html.j2`, built on
nbconvert's classic template as nbgrader's own feedback template is):

- the page opens with what matters: the points so far and what is still pending ("31 of 39
  points graded; 8 awaiting a TA's grade"), then one row per unit (points, one-sentence
  diagnosis, links to the unit's answer cell and to the failing check), from what the
  `FeedbackSummary` preprocessor (grading_views.py) put into the resources;
- a written answer awaiting its TA grade reads "awaiting a TA's grade" everywhere (the summary
  and its cell), never "Score: 0.0 / 3.0";
- messages wrap: error and stream outputs break their lines, no sideways scrolling;
- math renders offline: MathJax comes inlined into the page from a pinned PyPI package
  (`django-static-mathjax`, MathJax 3's self-contained `tex-svg.js`), never from a CDN, so a
  page opened from disk, or from an exchange on a machine without internet, shows the formulas.

The formgrader renders submissions with nbgrader's own template, whose head loads MathJax from
a CDN; `ModelAnswersForGraders` adds `offline_mathjax_html(fallback=True)` to those pages, which
loads the inlined copy only when the CDN's did not arrive.
"""
import functools
import json
import pathlib

from nbconvert.exporters import HTMLExporter

TEMPLATES = pathlib.Path(__file__).with_name("templates")
TEMPLATE_NAME = "course_feedback"
MATHJAX_FILE = ("static", "mathjax", "es5", "tex-svg.js")   # inside the `mathjax` package

# MathJax 3's configuration (before the library): TeX as notebooks write it; no context menu (its
# accessibility options would fetch components from the network); SVG output, whose fonts are
# inside the library, so nothing else is loaded.
MATHJAX_CONFIG = {
    "tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
            "processEscapes": True, "processEnvironments": True},
    "options": {"enableMenu": False},
    "svg": {"fontCache": "global"},
}


def nbgrader_templates():
    """nbgrader's own template folder (its feedback and formgrade templates, bootstrap's CSS)."""
    import nbgrader
    return pathlib.Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"


@functools.lru_cache(maxsize=1)
def mathjax_source():
    """MathJax 3 (TeX input, SVG output, fonts included) as JavaScript text, from the pinned
    `django-static-mathjax` package (requirements.txt)."""
    import mathjax
    text = pathlib.Path(mathjax.__file__).parent.joinpath(*MATHJAX_FILE).read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")   # never ends the <script> element it sits in


def offline_mathjax_html(fallback=False):
    """`<script>` elements that typeset the page's math with the inlined MathJax. `fallback`:
    only when no other MathJax arrived (a page whose head asked a CDN for one): the library
    then waits, as text, until the page has loaded and MathJax is still missing."""
    config = "window.MathJax = " + json.dumps(MATHJAX_CONFIG) + ";"
    if not fallback:
        return f"<script>{config}</script>\n<script>{mathjax_source()}</script>"
    return ("<script type=\"text/x-course-mathjax\" id=\"course-mathjax\">" + mathjax_source() + "</script>\n"
            "<script>window.addEventListener('load', function () {\n"
            "  if (window.MathJax && (window.MathJax.Hub || window.MathJax.typesetPromise)) return;\n"
            f"  {config}\n"
            "  var code = document.createElement('script');\n"
            "  code.textContent = document.getElementById('course-mathjax').textContent;\n"
            "  document.body.appendChild(code);\n"
            "});</script>")


class FeedbackPage(HTMLExporter):
    """nbgrader's feedback export with the course's template and MathJax inlined (see the module
    docstring). Set in nbgrader_config.py:

        c.GenerateFeedback.exporter_class = FeedbackPage
        c.FeedbackPage.template_name = "course_feedback"
        c.FeedbackPage.extra_template_basedirs = [str(TEMPLATES), str(nbgrader_templates())]

    (GenerateFeedback configures HTMLExporter itself for nbgrader's template; these settings are
    this subclass's, so they win.)"""

    def default_filters(self):
        """nbconvert's filters and `course_points`: points as every page of the course shows them."""
        from grader_tests.framework.reports.class_report import format_points
        yield from super().default_filters()
        yield "course_points", lambda x: "-" if x is None else format_points(x)

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = {} if resources is None else resources
        resources["course_mathjax"] = offline_mathjax_html()
        return super().from_notebook_node(nb, resources, **kw)
