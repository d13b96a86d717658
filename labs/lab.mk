# labs/lab.mk: the labs' make targets (tools/lab, docs/labs.md). The Makefile on main includes
# it, and `make lab` adds it to each lab branch, so grading works there too.
#   make labs               list the labs, by chapter
#   make lab LAB=NAME       start a lab: a branch lab/NAME at its chapter's tag, with its start
#   make grade [LAB=NAME]   grade this branch's lab (or lab NAME against this tree): each test's
#                           points and "score: N/100"; logs in build/grade/, build/grade.json
#   make handin             build/handin-NAME.tar.gz: your commits since the start, and the grade

.PHONY: labs lab grade handin

labs:
	@tools/lab list

lab:
	@tools/lab start $(LAB)

grade:
	@tools/lab grade $(LAB)

handin:
	@tools/lab handin
