{#-
    Salted pseudonymous key of an identity code: sha256(salt || ':' || code), lower-case hex.
    The salt comes from the environment variable PCDM_PSEUDONYM_SALT, never from the repository.
    It is compiled into SQL under target/: protect target/ like the database itself.
-#}
{% macro pseudonymise(column) -%}
    {%- set salt = env_var('PCDM_PSEUDONYM_SALT', '') -%}
    {%- if execute and salt | length < 16 -%}
        {{ exceptions.raise_compiler_error(
            "PCDM_PSEUDONYM_SALT is not set or is shorter than 16 characters. Set it to a long random secret"
            ~ " kept outside the repository (the run command creates one in .secrets/ for the demo).") }}
    {%- endif -%}
    {{ pcdm.sha256_hex("'" ~ salt | replace("'", "''") ~ ":' || " ~ column) }}
{%- endmacro %}
