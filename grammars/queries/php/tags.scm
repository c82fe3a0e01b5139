; Cartograph tags for PHP (after tree-sitter-php's own). Namespaces are packages
; (`Shop\Cart` is read as `Shop.Cart`), `use` statements imports.

; definitions
(method_declaration name: (name) @name) @definition.method
(trait_declaration name: (name) @name) @definition.trait
(enum_declaration name: (name) @name) @definition.enum
(enum_case name: (name) @name) @definition.enum_member
(const_declaration (const_element (name) @name)) @definition.constant
(property_promotion_parameter name: (variable_name (name) @name)) @definition.field

; references: bases, traits, types, `new`, calls, static access, members
(base_clause [(name) @name (qualified_name (name) @name .)]) @reference.inherit
(class_interface_clause [(name) @name (qualified_name (name) @name .)]) @reference.implement
(use_declaration [(name) @name (qualified_name (name) @name .)]) @reference.inherit
(named_type [(name) @name (qualified_name (name) @name .)]) @reference.type
(object_creation_expression [(name) @name (qualified_name (name) @name .)]) @reference.call
(function_call_expression function: [(name) @name (qualified_name (name) @name .)]) @reference.call
(nullsafe_member_call_expression name: (name) @name) @reference.call
(scoped_call_expression scope: [(name) @name (qualified_name (name) @name .)]) @reference.type
(class_constant_access_expression . [(name) @name (qualified_name (name) @name .)] (name)) @reference.type
(class_constant_access_expression (_) (name) @name . (#not-eq? @name "class")) @reference.other
(member_access_expression name: (name) @name) @reference.other
(nullsafe_member_access_expression name: (name) @name) @reference.other
(scoped_property_access_expression name: (variable_name (name) @name)) @reference.other
(catch_clause type: (type_list (named_type [(name) @name (qualified_name (name) @name .)]))) @reference.type

; imports: `use Shop\Cart\CartService;`, `use GuzzleHttp\Client as Http;`
(namespace_use_declaration (namespace_use_clause [(qualified_name) (name)] @import.module)) @import
(namespace_use_declaration (namespace_use_clause [(qualified_name) (name)] @import.module alias: (name) @import.alias)) @import
(namespace_use_clause (qualified_name (name) @name .) @reference.import)

; bindings: typed parameters and properties, `$x = new Foo()`
(simple_parameter type: (named_type [(name) @binding.type (qualified_name (name) @binding.type .)]) name: (variable_name (name) @binding.name))
(property_promotion_parameter type: (named_type [(name) @binding.type (qualified_name (name) @binding.type .)]) name: (variable_name (name) @binding.name))
(property_declaration type: (named_type [(name) @binding.type (qualified_name (name) @binding.type .)]) (property_element name: (variable_name (name) @binding.name)))
(assignment_expression left: (variable_name (name) @binding.name) right: (object_creation_expression [(name) @binding.type (qualified_name (name) @binding.type .)]))

; locals: parameters and assigned variables
(simple_parameter name: (variable_name (name) @local))
(assignment_expression left: (variable_name (name) @local))

; constants and variables URLs are built from: `$url = ...`, `$this->url = ...`, class
; constants, property defaults, Symfony container parameters
; (`$c->setParameter('catalogueUrl', getenv('CATALOGUE_URL') ?: 'http://catalogue:8080')`)
(assignment_expression left: (variable_name (name) @const.name) right: (_) @const.value)
(assignment_expression
  left: (member_access_expression object: (variable_name (name) @_t) name: (name) @const.name)
  right: (_) @const.value
  (#eq? @_t "this"))
(const_element (name) @const.name . (_) @const.value)
(property_element name: (variable_name (name) @const.name) default_value: (_) @const.value)
(member_call_expression
  name: (name) @_m
  arguments: (arguments . (argument [(string (string_content) @const.name) (encapsed_string (string_content) @const.name)]) . (argument) @const.value)
  (#eq? @_m "setParameter"))

; HTTP calls: curl, Guzzle (`$client->request('GET', $url)`, `$this->http->get($url)`),
; Laravel's `Http::get($url)`, and any call given an absolute URL
(function_call_expression
  function: (name) @_f
  arguments: (arguments . (argument) @http.url)
  (#eq? @_f "curl_init")) @http.call
(member_call_expression
  object: (_) @_c
  name: (name) @_m
  arguments: (arguments . (argument [(string (string_content) @http.method) (encapsed_string (string_content) @http.method)]) . (argument) @http.url)
  (#eq? @_m "request")
  (#match? @_c "([Cc]lient|[Hh]ttp|[Gg]uzzle)")) @http.call
(member_call_expression
  object: (_) @_c
  name: (name) @http.method
  arguments: (arguments . (argument) @http.url)
  (#match? @http.method "^(get|post|put|delete|patch)(Async)?$")
  (#match? @_c "([Cc]lient|[Hh]ttp|[Gg]uzzle)")) @http.call
(scoped_call_expression
  scope: (name) @_s
  name: (name) @http.method
  arguments: (arguments . (argument) @http.url)
  (#eq? @_s "Http")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
(function_call_expression
  function: (name) @http.method
  arguments: (arguments . (argument [(string) (encapsed_string) (binary_expression)]) @http.url)
  (#match? @http.url "(https?:|\\$)")) @http.urlcall

; HTTP routes: Symfony `#[Route('/rate/{sku}', methods: ['PUT'])]` under the class's
; `#[Route('/api')]`, Laravel `Route::get('/users/{id}', [UserController::class, 'show'])`,
; Slim `$app->get('/orders', ...)`
(method_declaration
  attributes: (attribute_list (attribute_group (attribute
    (name) @_a
    parameters: (arguments . (argument [(string) (encapsed_string)] @http.path) .))))
  name: (name) @http.handler
  (#eq? @_a "Route")) @http.route
(method_declaration
  attributes: (attribute_list (attribute_group (attribute
    (name) @_a
    parameters: (arguments
      . (argument [(string) (encapsed_string)] @http.path)
      (argument name: (name) @_k (array_creation_expression (array_element_initializer [(string (string_content) @http.method) (encapsed_string (string_content) @http.method)])))))))
  name: (name) @http.handler
  (#eq? @_a "Route")
  (#eq? @_k "methods")) @http.route
(class_declaration
  attributes: (attribute_list (attribute_group (attribute
    (name) @_a
    parameters: (arguments . (argument [(string) (encapsed_string)] @http.prefix)))))
  (#eq? @_a "Route")) @http.scope
(scoped_call_expression
  scope: (name) @_r
  name: (name) @http.method
  arguments: (arguments . (argument [(string) (encapsed_string)] @http.path) . (argument (array_creation_expression . (array_element_initializer) . (array_element_initializer [(string (string_content) @http.handler) (encapsed_string (string_content) @http.handler)]))))
  (#eq? @_r "Route")
  (#match? @http.method "^(get|post|put|delete|patch|any)$")) @http.route
(member_call_expression
  object: (variable_name (name) @_app)
  name: (name) @http.method
  arguments: (arguments . (argument [(string) (encapsed_string)] @http.path) . (argument))
  (#match? @_app "^(app|group|router|r)$")
  (#match? @http.method "^(get|post|put|delete|patch|any)$")) @http.route
; Symfony docblock annotations: `/** @Route("/fetch/{sku}", methods={"GET"}) */`
(declaration_list
  (comment) @http.path
  .
  (method_declaration name: (name) @http.handler) @http.route
  (#match? @http.path "@Route\\("))
((comment) @http.prefix
  .
  (class_declaration) @http.scope
  (#match? @http.prefix "@Route\\("))

; Datastores and brokers the code connects to: connection strings and PDO DSNs.
([(string) (encapsed_string)] @store.address
  (#match? @store.address "^[\"']((jdbc:)?(mongodb(\\+srv)?|rediss?|amqps?|postgres(ql)?|mysql|mariadb|nats|kafka|cassandra|memcached)://|(mysql|pgsql):host=)"))
