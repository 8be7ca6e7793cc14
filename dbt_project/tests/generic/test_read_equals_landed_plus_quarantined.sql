{# Nothing is lost: for every file, rows read (counted from the file itself by the readers,
   apart from the parse) = rows landed + rows quarantined. #}
{% test read_equals_landed_plus_quarantined(model) %}

    select *
    from {{ model }}
    where rows_read != rows_landed + rows_quarantined

{% endtest %}
