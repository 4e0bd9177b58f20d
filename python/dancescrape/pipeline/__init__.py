"""The pipeline that ties the stages together, and its report."""

from dancescrape.pipeline.report import Problem, RunReport
from dancescrape.pipeline.runner import Pipeline, Progress
from dancescrape.pipeline.window import Window

__all__ = ["Pipeline", "Problem", "Progress", "RunReport", "Window"]
