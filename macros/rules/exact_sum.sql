{#-
    A sum of euro amounts (or other measures) that does not depend on the order the engine adds the
    rows in: each value is taken at 6 decimals (finer than the cent of the contract) and summed
    exactly as a decimal, then returned as a double. A plain sum of doubles differs in its last bits
    from run to run when the engine adds in parallel, and two runs on the same input must give the
    same bytes.
-#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 6))) as {{ type_double() }})
{%- endmacro %}
