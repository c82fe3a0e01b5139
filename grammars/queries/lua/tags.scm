; Cartograph tags for Lua (after tree-sitter-lua's own).

; imports: `local http = require "resty.http"`, `local C = require("svc").C`
(variable_declaration
  (assignment_statement
    (variable_list name: (identifier) @import.alias)
    (expression_list value: (function_call
      name: (identifier) @_r
      arguments: (arguments (string content: (string_content) @import.module)))))
  (#eq? @_r "require")) @import
(variable_declaration
  (assignment_statement
    (variable_list name: (identifier) @import.name)
    (expression_list value: (dot_index_expression
      table: (function_call
        name: (identifier) @_r
        arguments: (arguments (string content: (string_content) @import.module))))))
  (#eq? @_r "require")) @import

; bindings: a value made from a generated client (`pool:acquire(CatalogServiceClient,
; host, port)`) is that client; `X:new(...)` and `X.new(...)` make an X
(assignment_statement
  (variable_list name: (identifier) @binding.name)
  (expression_list value: (function_call arguments: (arguments . (identifier) @binding.type)))
  (#match? @binding.type "Client$"))
(assignment_statement
  (variable_list name: (identifier) @binding.name)
  (expression_list value: (function_call name: [
    (method_index_expression table: (identifier) @binding.type method: (identifier) @_n)
    (dot_index_expression table: (identifier) @binding.type field: (identifier) @_n)]))
  (#eq? @_n "new"))

; locals: parameters and `local` variables
(parameters name: (identifier) @local)
(variable_declaration (assignment_statement (variable_list name: (identifier) @local)))

; URLs are built from constants and variables
(assignment_statement (variable_list name: (identifier) @const.name) (expression_list value: (_) @const.value))

; HTTP calls: lua-resty-http `httpc:request_uri(url, { method = "POST" })`
(function_call
  name: (method_index_expression method: (identifier) @_m)
  arguments: (arguments . (_) @http.url)
  (#eq? @_m "request_uri")) @http.call

; rpc addresses: `ConnectionPool:acquire(CatalogServiceClient, "catalog", 9090)`
(function_call
  arguments: (arguments . (identifier) @_c . (_) @rpc.address)
  (#match? @_c "Client$"))
