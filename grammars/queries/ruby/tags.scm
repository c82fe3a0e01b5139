; Cartograph tags for Ruby: classes, modules, methods, constants and attributes,
; calls and constant references, requires, bindings and locals, and the service
; patterns of its common libraries (Sinatra and Rails routes, Net::HTTP, HTTParty,
; Faraday, RestClient calls).

(class name: [(constant) @name (scope_resolution name: (constant) @name)]) @definition.class
(module name: [(constant) @name (scope_resolution name: (constant) @name)]) @definition.module
(method name: (_) @name) @definition.method
(singleton_method name: (_) @name) @definition.method
(program (assignment left: (constant) @name) @definition.constant)
(body_statement (assignment left: (constant) @name) @definition.constant)
; `attr_reader :host`: a field of the class
(call
  method: (identifier) @_a
  arguments: (argument_list (simple_symbol) @name)
  (#match? @_a "^attr_(reader|writer|accessor)$")) @definition.field

; references
(call method: (identifier) @name) @reference.call
(call receiver: (_) method: (constant) @name) @reference.call
(call method: (constant) @name) @reference.call
(superclass [(constant) @name (scope_resolution name: (constant) @name)]) @reference.inherit
(scope_resolution name: (constant) @name) @reference.type
(constant) @name @reference.type
; `include Helpers`, `extend Concern`
(call
  method: (identifier) @_m
  arguments: (argument_list [(constant) @name (scope_resolution name: (constant) @name)])
  (#match? @_m "^(include|extend|prepend)$")) @reference.inherit

; requires: `require "shop/mailer"`, `require_relative "lib/mailer"`
(call
  method: (identifier) @_r
  arguments: (argument_list . (string (string_content) @import.module))
  (#match? @_r "^(require|require_relative|load)$")) @import

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; bindings: `m = Mailer.new(..)`, `@m = Shop::Mailer.new(..)`
(assignment
  left: [(identifier) (instance_variable)] @binding.name
  right: (call
    receiver: [(constant) @binding.type (scope_resolution name: (constant) @binding.type)]
    method: (identifier) @_new)
  (#eq? @_new "new"))

; locals: parameters, block parameters, names assigned in methods and blocks
(method_parameters (identifier) @local)
(method_parameters (optional_parameter name: (identifier) @local))
(method_parameters (keyword_parameter name: (identifier) @local))
(block_parameters (identifier) @local)
(lambda_parameters (identifier) @local)
(body_statement (assignment left: (identifier) @local))
(block_body (assignment left: (identifier) @local))

; HTTP routes. Sinatra: `get '/x' do ... end`; Rails (config/routes.rb):
; `get '/x', to: 'orders#show'`, `post 'x' => 'orders#create'`
(call
  !receiver
  method: (identifier) @http.method
  arguments: (argument_list . (string) @http.path .)
  block: (_) @http.handler
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
(call
  !receiver
  method: (identifier) @http.method
  arguments: (argument_list . (string) @http.path (pair key: (hash_key_symbol) @_to value: (string) @http.handler))
  (#eq? @_to "to")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
(call
  !receiver
  method: (identifier) @http.method
  arguments: (argument_list . (pair key: (string) @http.path value: (string) @http.handler))
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
; `namespace :api do ... end`, `scope '/api' do ... end`: a prefix
(call
  !receiver
  method: (identifier) @_s
  arguments: (argument_list . [(simple_symbol) (string)] @http.prefix)
  block: (_)
  (#match? @_s "^(namespace|scope)$")) @http.scope

; HTTP calls: `Net::HTTP.get(URI(url))`, `Net::HTTP.post(uri, body)`,
; `HTTParty.get(url)`, `Faraday.get(url)`, `RestClient.post(url, ..)`
(call
  receiver: [(constant) @_c (scope_resolution name: (constant) @_c)]
  method: (identifier) @http.method
  arguments: (argument_list . (call method: (constant) @_u arguments: (argument_list . (_) @http.url)))
  (#match? @_c "^(HTTP|HTTParty|Faraday|RestClient)$")
  (#eq? @_u "URI")
  (#match? @http.method "^(get|post|put|delete|patch|get_response)$")) @http.call
(call
  receiver: [(constant) @_c (scope_resolution name: (constant) @_c)]
  method: (identifier) @http.method
  arguments: (argument_list . [(string) (constant)] @http.url)
  (#match? @_c "^(HTTP|HTTParty|Faraday|RestClient)$")
  (#match? @http.method "^(get|post|put|delete|patch|get_response)$")) @http.call

; constants URLs are built from
(assignment left: (constant) @const.name right: (string) @const.value)
