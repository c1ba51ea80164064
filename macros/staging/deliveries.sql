{#-
    Nightly deliveries (docs/raw-contract.md "Delivery sequence"). `pcdm run --nightly` keeps every
    delivery in <data-dir>/deliveries/<delivery_id>/ and builds with the vars
      raw_path      every delivery kept (the glob <data-dir>/deliveries/*): all rows ever delivered;
      new_delivery  tonight's folder among them (unset: a full build, nothing is incremental).
    With new_delivery set, the base models are incremental (delete+insert on their key): they read,
    from every delivery kept, only the rows of the keys tonight touches, and deduplicate those keys
    again (newest loaded_at wins), so that each key ends as a full refresh would leave it.

    Tonight touches a key of a table when
      - tonight delivers a row of the key (and every row tonight delivers is read, a row without a key too);
      - a row of the key names a person whose staging may change tonight (affected_person_ids);
      - (diagnoses, procedures) the contact or episode the row belongs to is touched.
    delivery_keys() names, per raw table, the base model's key as the base model computes it from the
    raw columns (it must stay the same expression), the person column and the parent records.
-#}
{% macro delivery_materialization() -%}
    {{ return('incremental' if var('new_delivery', none) else 'table') }}
{%- endmacro %}

{% macro delivery_keys(table_name) -%}
    {%- set text = dbt.type_string() -%}
    {%- set trimmed = "trim(cast({} as " ~ text ~ "))" -%}
    {%- set keys = {
        'population_person': {'key': [pcdm.normalise_person_id('person_id')]},
        'population_id_link': {'key': [pcdm.normalise_person_id('temporary_id')], 'person': 'person_id'},
        'health_contact': {'key': [trimmed.format('contact_id')], 'person': 'person_id'},
        'health_episode': {'key': [trimmed.format('episode_id')], 'person': 'person_id'},
        'health_diagnosis': {'key': [trimmed.format('diagnosis_id')], 'parents': [
            {'source': 'health', 'table': 'health_contact', 'column': 'record_id'},
            {'source': 'health', 'table': 'health_episode', 'column': 'record_id'}]},
        'health_procedure': {'key': [trimmed.format('procedure_id')], 'parents': [
            {'source': 'health', 'table': 'health_contact', 'column': 'contact_id'}]},
        'social_decision': {'key': [trimmed.format('decision_id')], 'person': 'person_id'},
        'social_contact': {'key': [trimmed.format('contact_id')], 'person': 'person_id'},
        'income_support': {'key': [trimmed.format('payment_id')], 'person': 'person_id'},
        'crm_channel_contact': {'key': [trimmed.format('interaction_id')], 'person': 'person_id'},
        'crm_care_team': {'key': [pcdm.normalise_person_id('person_id'), trimmed.format('professional_id'),
            'lower(' ~ trimmed.format('role') ~ ')', pcdm.safe_cast('valid_from', 'date')], 'person': 'person_id'},
        'crm_consent': {'key': [trimmed.format('consent_id')], 'person': 'person_id'},
        'care_plan': {'key': [trimmed.format('plan_id')], 'person': 'person_id'},
        'feedback_response': {'key': [trimmed.format('response_id')], 'person': 'person_id'},
        'client_fee': {'key': [trimmed.format('invoice_id')], 'person': 'person_id'},
    } -%}
    {{ return(keys[table_name]) }}
{%- endmacro %}

{#-
    The normalised ids of the persons whose staging may change tonight: the persons and links tonight
    delivers, and the temporary ids linked to a person tonight delivers (rows recorded under them
    resolve to that person).
-#}
{% macro affected_person_ids() -%}
    {%- set person_id = pcdm.normalise_person_id('person_id') -%}
    {%- set temporary_id = pcdm.normalise_person_id('temporary_id') -%}
    select {{ person_id }} from {{ pcdm.new_delivery_relation('population', 'population_person') }}
    union
    select {{ temporary_id }} from {{ pcdm.new_delivery_relation('population', 'population_id_link') }}
    union
    select {{ person_id }} from {{ pcdm.new_delivery_relation('population', 'population_id_link') }}
    union
    select {{ temporary_id }} from {{ source('population', 'population_id_link') }}
    where {{ person_id }} in (
        select {{ person_id }} from {{ pcdm.new_delivery_relation('population', 'population_person') }}
    )
{%- endmacro %}

{#- The keys of a table that tonight touches (see the top of this file). -#}
{% macro touched_keys(source_name, table_name) -%}
    {%- set spec = pcdm.delivery_keys(table_name) -%}
    {%- set key = spec.key | join(', ') -%}
    select {{ key }} from {{ pcdm.new_delivery_relation(source_name, table_name) }}
    {%- if spec.person %}
    union
    select {{ key }} from {{ source(source_name, table_name) }}
    where {{ pcdm.normalise_person_id(spec.person) }} in ({{ pcdm.affected_person_ids() }})
    {%- endif %}
    {%- for parent in spec.get('parents', []) %}
    union
    select {{ key }} from {{ source(source_name, table_name) }}
    where trim(cast({{ parent.column }} as {{ dbt.type_string() }})) in (
        {{ pcdm.touched_keys(parent.source, parent.table) }}
    )
    {%- endfor %}
{%- endmacro %}

{#-
    The filter of a base model's source CTE: nothing in a full build; when the build is incremental,
    every row delivered tonight and every row of a key tonight touches.
-#}
{% macro only_new_deliveries(source_name, table_name) -%}
    {%- if is_incremental() -%}
        {%- set spec = pcdm.delivery_keys(table_name) -%}
    where
        filename like '{{ var('new_delivery') | replace("'", "''") }}/%'
        or ({{ spec.key | join(', ') }}) in ({{ pcdm.touched_keys(source_name, table_name) }})
    {%- endif -%}
{%- endmacro %}

{#-
    Downstream of the base models (the stg_ models, the service events and fct_service_event), a
    night re-evaluates exactly the keys the base models re-evaluated: each base row carries
    evaluated_in_delivery, tonight's delivery id on a night (every row a night's build writes) and
    null in a full build. An incremental model downstream deletes those keys first (a key may have
    no usable row left) and merges their usable rows again (incremental_strategy_by_key()).
-#}
{% macro tonight_delivery_id() -%}
    {{ return(((var('new_delivery', none) or '') | string).rstrip('/').split('/')[-1]) }}
{%- endmacro %}

{#- An incremental build on a night (checked first: a unit test has no `this` to ask is_incremental() about). -#}
{% macro is_incremental_night() -%}
    {{ return(var('new_delivery', none) is not none and is_incremental()) }}
{%- endmacro %}

{% macro evaluated_in_delivery() -%}
    {%- if var('new_delivery', none) -%}
        {{ pcdm.text_literal(pcdm.tonight_delivery_id()) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- True for the rows a night re-evaluated (every row when the model is built in full). -#}
{% macro evaluated_tonight(relation='') -%}
    {%- if pcdm.is_incremental_night() -%}
        {{ relation ~ '.' if relation }}evaluated_in_delivery = {{ pcdm.text_literal(pcdm.tonight_delivery_id()) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of an incremental stg_ model: delete its keys (unique_key) that tonight re-evaluated in its base model. -#}
{% macro delete_keys_evaluated_tonight(base_model) -%}
    {%- if pcdm.is_incremental_night() -%}
    delete from {{ this }} where {{ pcdm.key_evaluated_tonight(base_model, config.get('unique_key')) }}
    {%- endif -%}
{%- endmacro %}

{#- The service events' source tables, with their base model and key (int_service_events_unioned). -#}
{% macro event_sources() -%}
    {{ return([
        {'table': 'health_contact', 'base': 'base_health__contacts', 'key': 'contact_id'},
        {'table': 'health_episode', 'base': 'base_health__episodes', 'key': 'episode_id'},
        {'table': 'social_decision', 'base': 'base_social__decisions', 'key': 'decision_id'},
        {'table': 'social_contact', 'base': 'base_social__contacts', 'key': 'contact_id'},
        {'table': 'income_support', 'base': 'base_social__income_support_payments', 'key': 'payment_id'},
        {'table': 'crm_channel_contact', 'base': 'base_crm__channel_contacts', 'key': 'interaction_id'},
    ]) }}
{%- endmacro %}

{#- The stable key of a service event (int_service_events_costed). -#}
{% macro event_key(source_table, source_id) -%}
    {{ dbt.hash(source_table ~ " || ':' || " ~ source_id) }}
{%- endmacro %}

{#- A stg_ model's rows whose key (a column or a list of them) tonight re-evaluated in its base model (true in a full build). -#}
{#- (The base models are refs only when a night builds: unit tests give no base model rows.) -#}
{% macro key_evaluated_tonight(base_model, key_columns) -%}
    {%- set base = ref(base_model) if var('new_delivery', none) else none -%}
    {%- if pcdm.is_incremental_night() -%}
        {%- set key = [key_columns] if key_columns is string else key_columns -%}
        ({{ key | join(', ') }}) in (select {{ key | join(', ') }} from {{ base }} where {{ pcdm.evaluated_tonight() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The stg_ rows of one service event source (event_sources) that tonight re-evaluated (true in a full build). -#}
{% macro event_source_evaluated_tonight(source_table) -%}
    {%- set source = pcdm.event_sources() | selectattr('table', 'equalto', source_table) | first -%}
    {{ pcdm.key_evaluated_tonight(source.base, source.key) }}
{%- endmacro %}

{#- The service events tonight re-evaluated: source_table, source_id and event_key. -#}
{% macro events_evaluated_tonight() -%}
    {%- for source in pcdm.event_sources() %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        '{{ source.table }}' as source_table,
        {{ source.key }} as source_id,
        {{ pcdm.event_key("'" ~ source.table ~ "'", source.key) }} as event_key
    from {{ ref(source.base) }}
    where {{ pcdm.evaluated_tonight() }}
    {%- endfor %}
{%- endmacro %}

{#-
    The service event models' filter and pre-hook: true (everything) in a full build; on a night,
    the events tonight re-evaluated, by the given columns (source_table, source_id or event_key).
-#}
{% macro is_event_evaluated_tonight(columns, relation='') -%}
    {%- set touched = pcdm.events_evaluated_tonight() if var('new_delivery', none) else none -%}
    {%- if pcdm.is_incremental_night() -%}
        {%- set prefix = relation ~ '.' if relation else '' -%}
        ({{ prefix ~ columns | join(', ' ~ prefix) }}) in (select {{ columns | join(', ') }} from ({{ touched }}) as touched)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_events_evaluated_tonight(columns) -%}
    {%- set condition = pcdm.is_event_evaluated_tonight(columns) -%}
    {%- if pcdm.is_incremental_night() -%}
    delete from {{ this }} where {{ condition }}
    {%- endif -%}
{%- endmacro %}
