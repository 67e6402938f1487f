"""What the figures become for people: the dashboard's context and charts (plotly figures
shared with the PDF), the sentences of the findings, the PDF report and the PowerPoint deck.
All of them read protected score documents from `selectors/`; none computes a figure."""
