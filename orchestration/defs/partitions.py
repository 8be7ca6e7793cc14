import dagster as dg

# Fiscal years are calendar years; 2015 is the first year under the 2015 organic laws.
fiscal_years = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start="2015",
    fmt="%Y",
    end_offset=1,  # the current year is open for in-year exports
)
